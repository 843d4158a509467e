// Which exact matrix product is fastest for the simulator's integer convolution: one [M, K] x [K, N] product of
// random 8-bit codes (-128..127) through ND4J's gemm in float32 and in float64, through ND4J's custom op "matmul"
// in int8 x int8 -> int32 (libnd4j hands it to oneDNN's int8 GEMM; run with DNNL_VERBOSE=1 to see the kernel),
// and as a plain Java int32 loop (i-k-j order, the inner loop auto-vectorized by C2), each the best of R runs and
// the mean wall and process CPU time. The int8 product is also compared element by element with a long-integer
// sum (it is exact where oneDNN accumulates in int32, as its VNNI kernels do).
//
// Run from the repository root after a build, e.g. SqueezeNet's fire9 expand3x3 at batch 16 on 2 threads:
//   OMP_WAIT_POLICY=PASSIVE java -Xmx4g -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/GemmChoice.java \
//       128 576 2704 10 2
// Arguments: M, K, N, R (runs), threads.
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import xportdnn.engine.EngineThreads;
import xportdnn.engine.NativeBuild;

public class GemmChoice {
    public static void main(String[] a) {
        NativeBuild.apply();
        int m = Integer.parseInt(a[0]);
        int k = Integer.parseInt(a[1]);
        int n = Integer.parseInt(a[2]);
        int runs = Integer.parseInt(a[3]);
        EngineThreads.set(Integer.parseInt(a[4]));
        Random r = new Random(1);
        int[] w = new int[m * k];
        int[] x = new int[k * n];
        Arrays.setAll(w, i -> r.nextInt(256) - 128);
        Arrays.setAll(x, i -> r.nextInt(256) - 128);
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray weights = Nd4j.createFromArray(w).castTo(t).reshape('c', m, k);
            INDArray columns = Nd4j.createFromArray(x).castTo(t).reshape('c', k, n);
            INDArray product = Nd4j.createUninitialized(t, m, n);
            time(t + " gemm", m, k, n, runs, () -> Nd4j.gemm(weights, columns, product, false, false, 1.0, 0.0));
        }
        INDArray w8 = Nd4j.createFromArray(w).castTo(DataType.BYTE).reshape('c', m, k);
        INDArray x8 = Nd4j.createFromArray(x).castTo(DataType.BYTE).reshape('c', k, n);
        INDArray int32 = Nd4j.createUninitialized(DataType.INT, m, n);
        DynamicCustomOp matmul = DynamicCustomOp.builder("matmul").addInputs(w8, x8).addOutputs(int32).build();
        time("int8 matmul", m, k, n, runs, () -> Nd4j.exec(matmul));
        int[] got = int32.data().asInt();
        long wrong = IntStream.range(0, m).parallel().mapToLong(row -> IntStream.range(0, n).filter(j -> {
            long sum = 0;
            for (int kk = 0; kk < k; kk++) {
                sum += (long) w[row * k + kk] * x[kk * n + j];
            }
            return sum != got[row * n + j];
        }).count()).sum();
        System.out.println("int8 matmul: " + wrong + " of " + (long) m * n + " sums differ from the long-integer sum");
        int[] c = new int[m * n];
        time("Java int32", m, k, n, runs, () -> IntStream.range(0, m).parallel().forEach(row -> {
            Arrays.fill(c, row * n, row * n + n, 0);
            for (int kk = 0; kk < k; kk++) {
                int wv = w[row * k + kk];
                int xo = kk * n;
                int co = row * n;
                for (int j = 0; j < n; j++) {
                    c[co + j] += wv * x[xo + j];
                }
            }
        }));
    }

    static void time(String what, int m, int k, int n, int runs, Runnable product) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double best = Double.MAX_VALUE;
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            product.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        System.out.printf(Locale.ROOT, "%s %dx%dx%d: best %.2f ms (%.1f GFLOP/s); mean wall %.2f ms, CPU %.2f ms%n",
                what, m, k, n, best, 2.0 * m * k * n / best / 1e6, (System.nanoTime() - wall0) / 1e6 / runs,
                (os.getProcessCpuTime() - cpu0) / 1e6 / runs);
    }
}
