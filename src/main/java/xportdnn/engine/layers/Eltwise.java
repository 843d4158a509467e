package xportdnn.engine.layers;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import xportdnn.model.Layer;
import xportdnn.model.ModelException;
import xportdnn.model.proto.Caffe.EltwiseParameter;
import xportdnn.model.proto.Caffe.EltwiseParameter.EltwiseOp;

/** Caffe's Eltwise over equally shaped bottoms: SUM (each bottom times its coefficient, default 1), PROD or MAX. */
final class Eltwise implements LayerOp {

    private final String name;
    private final EltwiseOp operation;
    private final float[] coeffs;
    private final Buffers buffers = new Buffers();

    Eltwise(Layer layer) {
        name = layer.name();
        EltwiseParameter p = layer.param().getEltwiseParam();
        operation = p.getOperation();
        int n = layer.bottoms().size();
        if (n < 2) {
            throw ModelException.inLayer(name, "needs at least 2 bottoms");
        }
        if (p.getCoeffCount() > 0 && (operation != EltwiseOp.SUM || p.getCoeffCount() != n)) {
            throw ModelException.inLayer(name, "coeff is only for SUM and needs one value per bottom (" + n + ")");
        }
        coeffs = new float[n];
        for (int i = 0; i < n; i++) {
            coeffs[i] = p.getCoeffCount() > 0 ? p.getCoeff(i) : 1f;
        }
    }

    @Override
    public List<INDArray> forward(List<INDArray> bottoms) {
        INDArray first = bottoms.get(0);
        for (INDArray b : bottoms) {
            if (!Arrays.equals(b.shape(), first.shape())) {
                throw ModelException.inLayer(name, "bottoms differ in shape: " + Arrays.toString(first.shape()) + " and "
                        + Arrays.toString(b.shape()));
            }
        }
        INDArray y = buffers.copy(0, first);
        if (operation == EltwiseOp.SUM && coeffs[0] != 1f) {
            y.muli(coeffs[0]);
        }
        for (int i = 1; i < bottoms.size(); i++) {
            INDArray b = bottoms.get(i);
            switch (operation) {
                case SUM -> {
                    if (coeffs[i] == 1f) {
                        y.addi(b);
                    } else {
                        y.addi(b.mul(coeffs[i]));
                    }
                }
                case PROD -> y.muli(b);
                case MAX -> Transforms.max(y, b, false);
                default -> throw ModelException.inLayer(name, "unknown operation " + operation);
            }
        }
        return List.of(y);
    }

    @Override
    public void close() {
        buffers.close();
    }
}
