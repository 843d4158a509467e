// How listing and selecting a calibration folder scales: makes N tiny image files (1 x 1 PGM, 12 bytes each) in a
// fresh folder under the system temp dir, in one flat folder or in class folders of 1000, then reports the time
// xportdnn.data.ImageSet takes to list them (CPU and wall seconds; the median of a few runs, the first run, with a
// cold JVM and file cache, reported apart),
// the heap it holds for them, and the time CalibrationSample takes to draw 256 of them; deletes the files at the end.
// Nothing is decoded: that is the point (listing must not depend on the image sizes).
//
// Run from the repository root after `mvn -o compile` (plain java, no dependencies needed):
//   nice -n 19 java -Xmx1g -cp target/classes tools/ImageSetScale.java 100000
//   nice -n 19 java -Xmx1g -cp target/classes tools/ImageSetScale.java 100000 classes
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import xportdnn.calib.CalibrationSample;
import xportdnn.data.ImageSet;

public class ImageSetScale {

    private static final byte[] PGM = "P5\n1 1\n255\n\0".getBytes();
    private static final int RUNS = 5;
    /** CPU time, not wall time: the figures should not depend on how busy the machine is. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws IOException {
        int n = Integer.parseInt(args[0]);
        boolean classes = args.length > 1 && args[1].equals("classes");
        Path dir = Files.createTempDirectory("xportdnn-imageset");
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Path folder = classes ? dir.resolve(String.format(Locale.ROOT, "c%03d", i / 1000)) : dir;
                if (classes && i % 1000 == 0) {
                    Files.createDirectories(folder);
                }
                Files.write(folder.resolve(String.format(Locale.ROOT, "img_%07d.pgm", i)), PGM);
            }
            System.out.printf(Locale.ROOT, "%d files made in %.1f s (%s)%n", n, (System.nanoTime() - t0) / 1e9,
                    classes ? "class folders of 1000" : "one flat folder");
            long before = usedAfterGc();
            double[] listCpu = new double[RUNS];
            double[] listWall = new double[RUNS];
            ImageSet set = null;
            for (int r = 0; r < RUNS; r++) {
                set = null;
                long cpu = CPU.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                set = classes ? ImageSet.classFolders(dir, null) : ImageSet.directory(dir);
                listCpu[r] = (CPU.getCurrentThreadCpuTime() - cpu) / 1e9;
                listWall[r] = (System.nanoTime() - wall) / 1e9;
            }
            long held = usedAfterGc() - before;
            if (set.size() != n) {
                throw new IllegalStateException(set.size() + " entries for " + n + " files");
            }
            double[] drawCpu = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                long cpu = CPU.getCurrentThreadCpuTime();
                int drawn = CalibrationSample.select(set, 256, CalibrationSample.DEFAULT_SEED, null).size();
                drawCpu[r] = (CPU.getCurrentThreadCpuTime() - cpu) / 1e9;
                if (drawn != 256) {
                    throw new IllegalStateException(drawn + " drawn");
                }
            }
            System.out.printf(Locale.ROOT, "list (CPU / wall seconds): first run %.2f / %.2f, median of the next %d "
                    + "%.2f / %.2f; heap held by the set: %.1f MB (%.0f bytes per image); draw 256: median %.3f CPU s; "
                    + "load average %.1f%n", listCpu[0], listWall[0], RUNS - 1,
                    median(Arrays.copyOfRange(listCpu, 1, RUNS)), median(Arrays.copyOfRange(listWall, 1, RUNS)),
                    held / 1e6, (double) held / n, median(drawCpu),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
