package xportdnn.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.broadcast.Broadcast;
import xportdnn.data.Preprocessing;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Net;
import xportdnn.pipeline.FloatPasses;
import xportdnn.pipeline.ValidationJob;
import xportdnn.precision.PrecisionScheme;
import xportdnn.sim.FixedPointNet;
import xportdnn.validate.ScoredOutput;
import xportdnn.validate.Validation;
import xportdnn.validate.Validator;

/**
 * Validation as Spark tasks: each batch's scores come back as the task's result (never accumulated on the side,
 * so a retried task counts once) and the driver merges them in batch order, which adds the per-layer SQNR sums as
 * one machine adds them.
 */
final class ValidationTasks {

    /**
     * What a task needs beside its images (broadcast once).
     *
     * @param quantized   the quantized net
     * @param floatNet    a separate float net ({@code --float_model}, compare's float net), or null for the
     *                    quantized net run in float
     * @param floatLayers device layers simulated in float
     * @param scheme      the simulation's scheme when the caller chose one (compare's aciq), else null
     */
    record Job(ShippedNet quantized, ShippedNet floatNet, boolean byBlob, Set<String> floatLayers,
               PrecisionScheme scheme, Preprocessing preprocessing, ScoredOutput output, int batch,
               HadoopImages images) implements Serializable {

        static Job of(ValidationJob job, HadoopImages images) {
            Net quantized = job.fixedNet().net();
            Net floatNet = job.floatNet().net();
            PrecisionScheme scheme = job.fixedNet().chosenScheme();
            if (scheme != null && !(scheme instanceof Serializable)) {
                throw new IllegalStateException("scheme " + scheme.quantType() + " cannot be sent to executors");
            }
            return new Job(ShippedNet.of(quantized), floatNet == quantized ? null : ShippedNet.of(floatNet),
                    job.byBlob(), Set.copyOf(job.fixedNet().floatLayers()), scheme, job.transformer().settings(),
                    job.output(), job.batch(), images);
        }

        /** The job an executor runs, its nets built there; its float engine and simulator are the caller's to close. */
        ValidationJob build() {
            Net net = quantized.build();
            FloatEngine reference = new FloatEngine(floatNet == null ? net : floatNet.build());
            return new ValidationJob(reference, new FixedPointNet(net, floatLayers, scheme),
                    new Transformer(preprocessing), output, batch, byBlob);
        }
    }

    /** One batch's scores; the first batch also brings the float output samples of the report. */
    record BatchValidation(int index, Validation validation, Map<String, float[]> samples) implements Serializable {
    }

    private ValidationTasks() {
    }

    /**
     * Scores a partition's batches. Its float engine and simulator are closed once they are scored: an executor runs
     * partition after partition in one JVM, and their native arrays (outputs kept from pass to pass, copies of
     * weights) would otherwise wait for a garbage collection.
     */
    static Iterator<BatchValidation> validate(Broadcast<Job> job, Iterator<ImageBatch> batches) {
        ValidationJob built = job.value().build();
        List<BatchValidation> out = new ArrayList<>();
        try (FloatEngine reference = built.floatNet(); FixedPointNet simulator = built.fixedNet()) {
            Validator validator = built.validator();
            batches.forEachRemaining(b -> {
                Validation v = validator.run(b.entries(job.value().images()), n -> {
                });
                out.add(new BatchValidation(b.index(), v, b.index() == 0 ? new LinkedHashMap<>(validator.samples())
                        : null));
            });
        }
        return out.iterator();
    }

    static FloatPasses.Validated merge(List<BatchValidation> batches) {
        Validation merged = new Validation();
        Map<String, float[]> samples = Map.of();
        for (BatchValidation b : batches.stream().sorted(Comparator.comparingInt(BatchValidation::index)).toList()) {
            merged.merge(b.validation());
            if (b.samples() != null) {
                samples = b.samples();
            }
        }
        return new FloatPasses.Validated(merged, samples);
    }
}
