// Two builds of the float engine in one process, passes alternated, for a before/after comparison on a shared
// machine: each jar gets its own class loader over one ND4J (from the classpath), both run the same seeded random
// batch, and the load of other processes falls on both alike. Prints whether their outputs are bit-identical, per
// round each build's median pass (ms per image) and the process's CPU time per image (steadier than wall time when
// other processes compete), then the median of the rounds' B / A ratios (both builds of a round saw about the same
// load), the medians over the rounds, each build's fastest pass and, with -Dlayers=a,b,...,
// those layers' mean time per pass (LayerTimes: the interval up to each layer's output) in each build. Both builds
// warm up first, passes alternated, for at least 3 passes each and -Dwarmup_seconds (default 5) seconds.
//
// Run from the repository root; neither jar may be on the classpath (build the "before" jar from a worktree of the
// older commit with `mvn -B -q -o -DskipTests package` and copy target/xportdnn.jar away):
//   OMP_WAIT_POLICY=PASSIVE MALLOC_ARENA_MAX=2 java -Xmx4g -Dlayers=conv_final,fire9/conv3x3_2 \
//       -cp "$(cat target/classpath.txt)" tools/EngineAB.java before.jar target/xportdnn.jar \
//       ../shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt \
//       ../shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel 16 10 4 2
// Arguments: jar A, jar B, prototxt, caffemodel, batch, rounds, passes per build and round, threads.
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

public class EngineAB {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** One build: its engine, input and per-round times. */
    private static final class Build {
        final String name;
        final ClassLoader loader;
        final Object engine;
        final Object input;
        final Method forward;
        final Object times; // LayerTimes, or null without -Dlayers
        final List<Double> wall = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        double fastest = Double.MAX_VALUE;

        Build(String name, String jar, Path prototxt, Path caffemodel, int batch) throws Exception {
            this.name = name;
            loader = new URLClassLoader(new URL[] {new File(jar).toURI().toURL()}, EngineAB.class.getClassLoader());
            loader.loadClass("xportdnn.engine.NativeBuild").getMethod("apply").invoke(null); // before ND4J loads
            Object net = loader.loadClass("xportdnn.model.NetLoader").getMethod("load", Path.class, Path.class)
                    .invoke(null, prototxt, caffemodel);
            Class<?> netClass = loader.loadClass("xportdnn.model.Net");
            Class<?> engineClass = loader.loadClass("xportdnn.engine.FloatEngine");
            engine = engineClass.getConstructor(netClass).newInstance(net);
            @SuppressWarnings("unchecked")
            List<String> inputs = (List<String>) engineClass.getMethod("inputNames").invoke(engine);
            int[] declared = (int[]) netClass.getMethod("shape", String.class).invoke(net, inputs.get(0));
            long[] shape = Arrays.stream(declared).asLongStream().toArray();
            shape[0] = batch;
            float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextDouble(-100, 100);
            }
            input = loader.loadClass("xportdnn.engine.layers.Tensors").getMethod("of", float[].class, long[].class)
                    .invoke(null, values, shape);
            forward = engineClass.getMethod("forward", loader.loadClass("org.nd4j.linalg.api.ndarray.INDArray"),
                    loader.loadClass("xportdnn.engine.LayerObserver"));
            times = System.getProperty("layers") == null ? null
                    : loader.loadClass("xportdnn.engine.LayerTimes").getConstructor().newInstance();
        }

        Map<?, ?> pass() throws Exception {
            if (times != null) {
                times.getClass().getMethod("startPass").invoke(times);
            }
            return (Map<?, ?>) forward.invoke(engine, input, times);
        }

        @SuppressWarnings("unchecked")
        String layers(int passes) throws Exception {
            Map<String, Long> totals = (Map<String, Long>) times.getClass().getMethod("totals").invoke(times);
            StringBuilder line = new StringBuilder(name + " ms per pass:");
            for (String layer : System.getProperty("layers").split(",")) {
                Long nanos = totals.get(layer);
                line.append(nanos == null ? " " + layer + " (no such layer)"
                        : String.format(Locale.ROOT, " %s %.3f", layer, nanos / 1e6 / passes));
            }
            return line.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        int batch = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        int passes = Integer.parseInt(args[6]);
        Build a = new Build("A", args[0], Path.of(args[2]), Path.of(args[3]), batch);
        Build b = new Build("B", args[1], Path.of(args[2]), Path.of(args[3]), batch);
        a.loader.loadClass("xportdnn.engine.EngineThreads").getMethod("set", int.class)
                .invoke(null, Integer.parseInt(args[7])); // ND4J is shared: once for both
        Map<?, ?> outA = null;
        Map<?, ?> outB = null;
        // the JIT keeps compiling for seconds: the first ~100 batch-1 passes are 30-60% slower than later ones
        double warmUpSeconds = Double.parseDouble(System.getProperty("warmup_seconds", "5"));
        long warmUpEnd = System.nanoTime() + (long) (warmUpSeconds * 1e9);
        int warmUpPasses = 0;
        for (; warmUpPasses < 3 || System.nanoTime() < warmUpEnd; warmUpPasses++) {
            outA = a.pass();
            outB = b.pass();
        }
        System.out.printf(Locale.ROOT, "warm-up: %d passes each%n", warmUpPasses);
        Method floats = a.loader.loadClass("xportdnn.engine.layers.Tensors").getMethod("floats",
                a.loader.loadClass("org.nd4j.linalg.api.ndarray.INDArray"));
        for (Object output : outA.keySet()) {
            float[] x = (float[]) floats.invoke(null, outA.get(output));
            float[] y = (float[]) floats.invoke(null, outB.get(output));
            double largest = 0;
            for (int i = 0; i < Math.min(x.length, y.length); i++) {
                largest = Math.max(largest, Math.abs((double) x[i] - y[i]));
            }
            System.out.printf(Locale.ROOT, "output %s: %s (largest difference %g)%n", output,
                    Arrays.equals(x, y) ? "bit-identical" : "differs", largest);
        }
        for (int r = 0; r < rounds; r++) {
            for (Build build : r % 2 == 0 ? List.of(a, b) : List.of(b, a)) {
                double[] pass = new double[passes];
                long cpu0 = OS.getProcessCpuTime();
                for (int p = 0; p < passes; p++) {
                    long t0 = System.nanoTime();
                    build.pass();
                    pass[p] = (System.nanoTime() - t0) / 1e6 / batch;
                }
                build.cpu.add((OS.getProcessCpuTime() - cpu0) / 1e6 / passes / batch);
                Arrays.sort(pass);
                build.wall.add(pass[passes / 2]);
                build.fastest = Math.min(build.fastest, pass[0]);
            }
            System.out.printf(Locale.ROOT, "round %d, load average %.2f: A %.3f ms per image (CPU %.3f), B %.3f (CPU %.3f)%n",
                    r + 1, OS.getSystemLoadAverage(), a.wall.get(r), a.cpu.get(r), b.wall.get(r), b.cpu.get(r));
        }
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            ratios.add(b.wall.get(r) / a.wall.get(r));
        }
        System.out.printf(Locale.ROOT, "B / A, round by round: median %.3f, B faster in %d of %d rounds%n",
                median(ratios), ratios.stream().filter(x -> x < 1).count(), rounds);
        for (Build build : List.of(a, b)) {
            System.out.printf(Locale.ROOT, "%s: median %.3f ms per image, CPU %.3f, fastest pass %.3f%n", build.name,
                    median(build.wall), median(build.cpu), build.fastest);
            if (build.times != null) {
                System.out.println(build.layers(rounds * passes + warmUpPasses));
            }
        }
        System.exit(0); // ND4J's threads would keep the JVM alive
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
