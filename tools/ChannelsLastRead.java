// Reading a channels-last blob into Java in Caffe's N, C, H, W order, two ways in one process, alternating: ND4J's
// C-ordered duplicate of the channels-first view copied out (how Tensors.floats read such blobs before), and
// Tensors.floats now (engine.layers.ChannelsLastRead). Prints each way's median time over the rounds and whether
// both gave the same values. Run from the repository root after `mvn -B -q -o -DskipTests package`:
//   OMP_WAIT_POLICY=PASSIVE java -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/ChannelsLastRead.java \
//       8 96 111 111 40
// Arguments: images, channels, height, width, rounds.
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.engine.layers.Tensors;

public class ChannelsLastRead {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int c = Integer.parseInt(args[1]);
        int h = Integer.parseInt(args[2]);
        int w = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        Nd4j.getRandom().setSeed(7);
        INDArray storage = Nd4j.rand(DataType.FLOAT, n, h, w, c);
        INDArray view = storage.permute(0, 3, 1, 2);
        int length = n * c * h * w;
        float[] before = new float[length];
        float[] now = new float[length];
        double[] dupMs = new double[rounds];
        double[] readMs = new double[rounds];
        for (int r = -5; r < rounds; r++) { // five rounds of warm-up
            long t0 = System.nanoTime();
            INDArray dense = view.dup('c');
            dense.data().asNioFloat().get(before, 0, length);
            dense.close();
            long t1 = System.nanoTime();
            Tensors.floatsInto(view, now);
            long t2 = System.nanoTime();
            if (r >= 0) {
                dupMs[r] = (t1 - t0) / 1e6;
                readMs[r] = (t2 - t1) / 1e6;
            }
        }
        Arrays.sort(dupMs);
        Arrays.sort(readMs);
        System.out.printf(Locale.ROOT, "%dx%dx%dx%d, %d rounds: dup then copy %.2f ms, Tensors.floats %.2f ms (medians;"
                + " ratio %.2f), same values: %b%n", n, c, h, w, rounds, dupMs[rounds / 2], readMs[rounds / 2],
                dupMs[rounds / 2] / readMs[rounds / 2], Arrays.equals(before, now));
    }
}
