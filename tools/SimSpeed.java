// The fixed-point simulator's throughput against the float engine's on the same quantized net, measured in one
// process with the passes alternating (float, simulator, float, simulator...), so that a shared machine's load
// falls on both alike. Prints every pair's ratio and the median ratio (simulator images per s / float images
// per s; 1.0 means as fast as the float engine), in wall time and in the process's CPU time (less sensitive to
// other processes on a shared machine).
//
// Run from the repository root after a build (a quantized prototxt, e.g. from the README's Xilinx example):
//   OMP_WAIT_POLICY=PASSIVE java -Xmx6g -cp "target/xportdnn.jar:$(cat target/classpath.txt)" tools/SimSpeed.java \
//       squeezenet_xilinx.prototxt ../shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel 16 8 2
// Arguments: prototxt, caffemodel, batch, pairs (timed float+simulator pairs after 2 untimed ones), threads.
// -Dxportdnn.sim.int8=off times the simulator with its float32 products instead of the int8 ones.
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import xportdnn.engine.EngineThreads;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.NativeBuild;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.sim.FixedPointNet;
import xportdnn.sim.Int8Products;

public class SimSpeed {
    public static void main(String[] args) {
        NativeBuild.apply(); // before anything loads ND4J, as the command line does
        Net net = NetLoader.load(Path.of(args[0]), Path.of(args[1]));
        int batch = Integer.parseInt(args[2]);
        int pairs = Integer.parseInt(args[3]);
        EngineThreads.set(Integer.parseInt(args[4]));
        FloatEngine engine = new FloatEngine(net);
        FixedPointNet fixed = new FixedPointNet(net);
        System.out.println("natives " + NativeBuild.loaded() + "; int8 product " + (Int8Products.enabled() ? "on" : "off")
                + "; load average " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        int[] shape = net.shape(engine.inputNames().get(0)).clone();
        shape[0] = batch;
        float[] input = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (random.nextGaussian() * 50);
        }
        double[] ratios = new double[pairs];
        double[] floatMs = new double[pairs];
        double[] simMs = new double[pairs];
        double[] cpuRatios = new double[pairs];
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int p = -2; p < pairs; p++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            engine.forward(input, batch, null);
            long c1 = os.getProcessCpuTime();
            long t1 = System.nanoTime();
            fixed.forward(input, batch, null);
            long c2 = os.getProcessCpuTime();
            long t2 = System.nanoTime();
            if (p >= 0) {
                floatMs[p] = (t1 - t0) / 1e6 / batch;
                simMs[p] = (t2 - t1) / 1e6 / batch;
                ratios[p] = floatMs[p] / simMs[p];
                cpuRatios[p] = (double) (c1 - c0) / (c2 - c1);
                System.out.printf(Locale.ROOT, "pair %d: float %.2f ms/image, simulator %.2f ms/image, ratio %.3f "
                        + "(CPU time: float %.2f, simulator %.2f ms/image, ratio %.3f)%n", p, floatMs[p], simMs[p],
                        ratios[p], (c1 - c0) / 1e6 / batch, (c2 - c1) / 1e6 / batch, cpuRatios[p]);
            }
        }
        System.out.printf(Locale.ROOT, "batch %d, %d pairs: median float %.2f ms/image, simulator %.2f ms/image, "
                + "median ratio (simulator speed / float speed) %.3f, of CPU time %.3f%n", batch, pairs,
                median(floatMs), median(simMs), median(ratios), median(cpuRatios));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
