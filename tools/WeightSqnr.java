// Per convolution of a DynamicFixed export: the SQNR of its weights in their fl_params format, over the whole layer
// and per output channel (the worst and the median channel), what --equalize is meant to raise. Reads the written
// prototxt's precision_param blocks and the caffemodel the export wrote (folded or equalized).
//
// Run from the repository root after a build (the probe MobileNet v1, exported with --fuse_bn or --equalize):
//   java -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/WeightSqnr.java q.prototxt q.caffemodel
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import xportdnn.model.Blob;
import xportdnn.model.Layer;
import xportdnn.model.LayerType;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.PrototxtReader;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.precision.DynamicFixed;

public class WeightSqnr {

    public static void main(String[] args) {
        NetParameter quantized = PrototxtReader.read(Path.of(args[0]));
        Map<String, LayerParameter> blocks = new HashMap<>();
        quantized.getLayerList().forEach(l -> blocks.put(l.getName(), l));
        Net net = NetLoader.load(Path.of(args[0]), Path.of(args[1]));
        System.out.println("layer\tchannels\tfl_params\tlayer_sqnr_db\tworst_channel_db\tmedian_channel_db");
        for (Layer layer : net.layers()) {
            LayerParameter p = blocks.get(layer.name());
            if (layer.layerType() != LayerType.CONVOLUTION || p == null || !p.getPrecisionParam().hasFlParams()) {
                continue;
            }
            int bw = p.getPrecisionParam().getBwParams();
            int fl = p.getPrecisionParam().getFlParams();
            Blob w = layer.weights().get(0);
            int channels = w.shape()[0];
            int size = w.count() / channels;
            double signal = 0;
            double noise = 0;
            double[] perChannel = new double[channels];
            for (int c = 0; c < channels; c++) {
                double s = 0;
                double n = 0;
                for (int k = c * size; k < (c + 1) * size; k++) {
                    double x = w.data()[k];
                    double e = x - DynamicFixed.value(x, bw, fl);
                    s += x * x;
                    n += e * e;
                }
                signal += s;
                noise += n;
                perChannel[c] = db(s, n);
            }
            Arrays.sort(perChannel);
            System.out.printf("%s\t%d\t%d\t%.2f\t%.2f\t%.2f%n", layer.name(), channels, fl, db(signal, noise),
                    perChannel[0], perChannel[channels / 2]);
        }
    }

    private static double db(double signal, double noise) {
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }
}
