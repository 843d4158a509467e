package xportdnn.pipeline;

import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validator;

/**
 * What scoring images takes: the float net, the simulated quantized net and the output scored.
 *
 * @param floatNet   the float net whose scores are the reference: the quantized net run in float, or the original
 *                   net given by {@code --float_model}
 * @param fixedNet   the quantized net's simulation
 * @param transformer the images' preprocessing
 * @param output     the output both nets give, and how it is scored
 * @param batch      images per forward pass
 * @param byBlob     compare layer outputs by blob ({@code --float_model}: a net of another structure)
 */
public record ValidationJob(FloatEngine floatNet, FixedPointNet fixedNet, Transformer transformer, ScoredOutput output,
                            int batch, boolean byBlob) {

    /** A validator of this job (it keeps its own sample of float outputs). */
    public Validator validator() {
        return new Validator(floatNet, fixedNet, transformer, output, batch, byBlob);
    }
}
