// Calibration's statistics of every blob, two builds in one process, alternating round by round on the same real
// layer outputs: each jar gets its own class loader, and the load of other processes falls on both alike. Four parts
// are timed: the first pass's ranges (ActivationRange.add), one 8192-bin |x| histogram alone (AbsHistogram.add), the
// second pass (BlobHistograms.add: the KL-J histogram, the fine one and the sum of |x - mean|) and the 8-bit KL-J
// thresholds on its histograms (KlJThreshold.threshold). Prints whether both builds' numbers are identical bit for
// bit, then per part, for the wall time and the process's CPU time (steadier when other processes compete), the
// medians over the rounds of each build's time and of a round's B / A ratio.
//
// The layer outputs are those `infer --dump DIR` writes (one image each); the files of the same name in the
// directories given are concatenated, a batch of as many images (the export calibrates in batches of 8).
// Run from the repository root; neither jar may be on the classpath (build the "before" jar from a worktree of the
// older commit with `mvn -B -q -o -DskipTests package` and copy target/xportdnn.jar away):
//   java -Xmx6g -cp "$(cat target/classpath.txt)" tools/CalibStatsAB.java before.jar target/xportdnn.jar 9 \
//       dump/img1 dump/img2 dump/img3 dump/img4 dump/img5 dump/img6 dump/img7 dump/img8
// Arguments: jar A, jar B, rounds, dump directories.
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

public class CalibStatsAB {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final String[] PARTS = {"ranges", "one 8192-bin histogram", "second pass", "KL-J thresholds"};

    /** One build's classes and methods, and its results of the last round (as strings, to compare across loaders). */
    private static final class Build {
        final Class<?> range;
        final Method rangeAdd;
        final Method binCount;
        final Class<?> histogram;
        final Method histogramAdd;
        final Class<?> blob;
        final Method blobAdd;
        final Object klJ;
        final Method threshold;
        final List<List<Double>> ms = new ArrayList<>();
        final List<List<Double>> cpuMs = new ArrayList<>();
        String results;

        Build(String jar) throws Exception {
            ClassLoader loader = new URLClassLoader(new URL[] {new File(jar).toURI().toURL()},
                    CalibStatsAB.class.getClassLoader());
            range = loader.loadClass("xportdnn.calib.ActivationRange");
            rangeAdd = range.getMethod("add", float[].class, int.class, int.class);
            binCount = loader.loadClass("xportdnn.quant.KlJThreshold").getMethod("binCount", range);
            histogram = loader.loadClass("xportdnn.calib.AbsHistogram");
            histogramAdd = histogram.getMethod("add", float[].class, int.class, int.class);
            blob = loader.loadClass("xportdnn.calib.BlobHistograms");
            blobAdd = blob.getMethod("add", float[].class, int.class, int.class);
            Class<?> klJClass = loader.loadClass("xportdnn.quant.KlJThreshold");
            klJ = klJClass.getConstructor().newInstance();
            threshold = klJClass.getMethod("threshold", blob, int.class);
            for (int p = 0; p < PARTS.length; p++) {
                ms.add(new ArrayList<>());
                cpuMs.add(new ArrayList<>());
            }
        }

        /** All three parts over every blob, timed; keeps the numbers they measured. */
        void round(Map<String, float[]> blobs, boolean timed) throws Exception {
            StringBuilder out = new StringBuilder();
            long[] t0 = now();
            List<Object> ranges = new ArrayList<>();
            for (float[] v : blobs.values()) {
                Object r = range.getConstructor().newInstance();
                rangeAdd.invoke(r, v, 0, v.length);
                ranges.add(r);
            }
            long[] t1 = now();
            List<Object> alone = new ArrayList<>();
            int i = 0;
            for (float[] v : blobs.values()) {
                float hi = (float) range.getMethod("maxAbs").invoke(ranges.get(i++));
                if (hi > 0) {
                    Object h = histogram.getConstructor(float.class, int.class).newInstance(hi, 8192);
                    histogramAdd.invoke(h, v, 0, v.length);
                    alone.add(h);
                }
            }
            long[] t2 = now();
            List<Object> second = new ArrayList<>();
            i = 0;
            for (float[] v : blobs.values()) {
                Object r = ranges.get(i++);
                Object h = blob.getConstructor(range, int.class).newInstance(r, binCount.invoke(null, r));
                blobAdd.invoke(h, v, 0, v.length);
                second.add(h);
            }
            long[] t3 = now();
            for (Object h : second) {
                out.append(threshold.invoke(klJ, h, 8)).append(' ');
            }
            long[] t4 = now();
            for (Object r : ranges) {
                for (String m : new String[] {"count", "maxAbs", "minAbs", "sum", "sumSquares"}) {
                    out.append(range.getMethod(m).invoke(r)).append(' ');
                }
            }
            for (Object h : alone) {
                out.append(counts(h));
            }
            for (Object h : second) {
                out.append(Double.doubleToRawLongBits((double) blob.getMethod("sumAbsDeviation").invoke(h)));
                for (String m : new String[] {"sqrtRule", "fine"}) {
                    Object a = blob.getMethod(m).invoke(h);
                    out.append(a == null ? "-" : counts(a));
                }
            }
            results = out.toString();
            if (timed) {
                long[][] stamps = {t0, t1, t2, t3, t4};
                for (int p = 0; p < PARTS.length; p++) {
                    ms.get(p).add((stamps[p + 1][0] - stamps[p][0]) / 1e6);
                    cpuMs.get(p).add((stamps[p + 1][1] - stamps[p][1]) / 1e6);
                }
            }
        }

        /** Wall time and the process's CPU time, in nanoseconds. */
        private static long[] now() {
            return new long[] {System.nanoTime(), OS.getProcessCpuTime()};
        }

        private String counts(Object h) throws Exception {
            return Arrays.toString((long[]) histogram.getMethod("counts").invoke(h))
                    + histogram.getMethod("zeros").invoke(h);
        }
    }

    public static void main(String[] args) throws Exception {
        Build a = new Build(args[0]);
        Build b = new Build(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Map<String, float[]> blobs = batches(Arrays.copyOfRange(args, 3, args.length));
        long values = blobs.values().stream().mapToLong(v -> v.length).sum();
        long zeros = blobs.values().stream().mapToLong(v -> {
            long z = 0;
            for (float x : v) {
                z += x == 0 ? 1 : 0;
            }
            return z;
        }).sum();
        System.out.printf(Locale.ROOT, "%d blobs, %d values, %.1f%% zeros%n", blobs.size(), values,
                100.0 * zeros / values);
        for (int r = -2; r < rounds; r++) { // two rounds of warm-up
            Build first = r % 2 == 0 ? a : b;
            Build second = first == a ? b : a;
            first.round(blobs, r >= 0);
            second.round(blobs, r >= 0);
        }
        System.out.println("same numbers in both builds: " + a.results.equals(b.results));
        for (int p = 0; p < PARTS.length; p++) {
            System.out.printf(Locale.ROOT, "%-24s wall: %s; CPU: %s%n", PARTS[p], compared(a.ms.get(p), b.ms.get(p)),
                    compared(a.cpuMs.get(p), b.cpuMs.get(p)));
        }
    }

    /** Both builds' medians and the median (and range) of the rounds' B / A ratios. */
    private static String compared(List<Double> a, List<Double> b) {
        double[] ratios = new double[a.size()];
        for (int r = 0; r < ratios.length; r++) {
            ratios[r] = b.get(r) / a.get(r);
        }
        return String.format(Locale.ROOT, "A %.0f ms, B %.0f ms, B/A %.3f (%.2f-%.2f)", median(a), median(b),
                median(ratios), Arrays.stream(ratios).min().orElse(0), Arrays.stream(ratios).max().orElse(0));
    }

    private static double median(List<Double> xs) {
        return median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Per file name, the float32 .npy files of that name in every directory, one after the other. */
    private static Map<String, float[]> batches(String[] dirs) throws IOException {
        Map<String, List<float[]>> parts = new LinkedHashMap<>();
        for (String dir : dirs) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                for (Path f : files.sorted().toList()) {
                    parts.computeIfAbsent(f.getFileName().toString(), k -> new ArrayList<>()).add(npy(f));
                }
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        parts.forEach((name, list) -> {
            float[] all = new float[list.stream().mapToInt(v -> v.length).sum()];
            int at = 0;
            for (float[] v : list) {
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
            out.put(name, all);
        });
        return out;
    }

    /** A little-endian float32 .npy file's values (version 1 or 2 header). */
    private static float[] npy(Path f) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        int major = buf.get(6);
        int headerLength = major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8);
        int start = (major == 1 ? 10 : 12) + headerLength;
        String header = new String(buf.array(), 0, start, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<f4'")) {
            throw new IOException(f + ": not little-endian float32");
        }
        float[] v = new float[(buf.capacity() - start) / 4];
        buf.position(start).asFloatBuffer().get(v);
        return v;
    }
}
