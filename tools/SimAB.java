// Two builds of the fixed-point simulator against each other in one process: each xportdnn jar in a class loader
// of its own over one shared ND4J (this classpath), passes alternating (who goes first alternates too), so that a
// shared machine's load falls on both alike. Prints per build the median and fastest process CPU time per image,
// and the median over pairs of (CPU time of A / CPU time of B): above 1.0 means B is faster. Process CPU time
// ticks in 10 ms steps here, a few percent of a batch-16 pass: use 20 or more pairs. A difference below one tick
// leaves that median at 1.000; the ratio of the two builds' total CPU times over all pairs resolves it (use 100 or
// more pairs).
//
// Run from the repository root after a build (the quantized prototxt as for tools/SimSpeed.java):
//   OMP_WAIT_POLICY=PASSIVE java -Xmx8g -cp "$(cat target/classpath.txt)" tools/SimAB.java \
//       squeezenet_xilinx.prototxt ../shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel \
//       /tmp/old/target/xportdnn.jar target/xportdnn.jar 16 20 2
// Arguments: prototxt, caffemodel, jar A, jar B, batch, pairs (after 3 untimed ones), threads[, the 3-channel square
// input's side, 227 by default (MobileNet: 224)].
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

public class SimAB {

    /** One build's simulator and its forward method. */
    record Build(String jar, Object simulator, Method forward) {
        Map<?, ?> run(float[] input, int batch) throws Exception {
            return (Map<?, ?>) forward.invoke(simulator, input, batch, null);
        }
    }

    static Build load(String jar, Path prototxt, Path caffemodel, int threads) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                SimAB.class.getClassLoader());
        loader.loadClass("xportdnn.engine.NativeBuild").getMethod("apply").invoke(null);
        loader.loadClass("xportdnn.engine.EngineThreads").getMethod("set", int.class).invoke(null, threads);
        Object net = loader.loadClass("xportdnn.model.NetLoader").getMethod("load", Path.class, Path.class)
                .invoke(null, prototxt, caffemodel);
        Class<?> simulator = loader.loadClass("xportdnn.sim.FixedPointNet");
        Object sim = simulator.getConstructor(loader.loadClass("xportdnn.model.Net")).newInstance(net);
        return new Build(jar, sim, simulator.getMethod("forward", float[].class, int.class,
                loader.loadClass("xportdnn.engine.LayerObserver")));
    }

    public static void main(String[] args) throws Exception {
        Path prototxt = Path.of(args[0]);
        Path caffemodel = Path.of(args[1]);
        int batch = Integer.parseInt(args[4]);
        int pairs = Integer.parseInt(args[5]);
        int threads = Integer.parseInt(args[6]);
        Build[] builds = {load(args[2], prototxt, caffemodel, threads), load(args[3], prototxt, caffemodel, threads)};
        int side = args.length > 7 ? Integer.parseInt(args[7]) : 227; // SqueezeNet's input by default
        float[] input = new float[batch * 3 * side * side];
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (random.nextGaussian() * 50);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[][] ms = new double[2][pairs];
        for (int p = -3; p < pairs; p++) {
            for (int k = 0; k < 2; k++) {
                int b = (p & 1) == 0 ? k : 1 - k;
                long c0 = os.getProcessCpuTime();
                Map<?, ?> out = builds[b].run(input, batch);
                double cpu = (os.getProcessCpuTime() - c0) / 1e6 / batch;
                for (Object v : out.values()) {
                    ((AutoCloseable) v).close();
                }
                if (p >= 0) {
                    ms[b][p] = cpu;
                }
            }
        }
        double[] ratios = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            ratios[p] = ms[0][p] / ms[1][p];
        }
        for (int b = 0; b < 2; b++) {
            System.out.printf(Locale.ROOT, "%s: CPU ms per image median %.2f, fastest %.2f%n", builds[b].jar(),
                    median(ms[b]), Arrays.stream(ms[b]).min().orElseThrow());
        }
        System.out.printf(Locale.ROOT, "median CPU time A / B over %d pairs: %.3f, total CPU time A / B: %.3f (load "
                + "average %.1f)%n", pairs, median(ratios), Arrays.stream(ms[0]).sum() / Arrays.stream(ms[1]).sum(),
                os.getSystemLoadAverage());
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
