package xportdnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import xportdnn.engine.CpuInfo;
import xportdnn.engine.CpuPeak;
import xportdnn.engine.EngineThreads;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.LayerTimes;
import xportdnn.engine.NativeBuild;
import xportdnn.engine.layers.Tensors;
import xportdnn.export.Json;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.NumberText;
import xportdnn.model.OutputFile;
import xportdnn.model.OutputPlan;
import xportdnn.pipeline.LoadedNet;
import xportdnn.sim.FixedPointNet;

/** {@code xportdnn bench}: how fast the float engine runs a net on this machine, and how much memory it takes. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times forward passes of a net on random input (seeded, the net's input shape with the "
                + "given batch): warm-up passes, then timed ones. Prints the time per image (median pass, "
                + "with the fastest and the mean to judge the noise), images per second, the achieved GFLOP/s "
                + "(2 x multiply-adds x images / time, as counted by 'inspect') with the fraction of the CPU's peak it "
                + "reaches, this process's peak resident memory, and which build of ND4J's natives ran (AVX-512 or "
                + "AVX2, chosen from the CPU; -Dxportdnn.natives or XPORTDNN_NATIVES=avx2|avx512 overrides)."})
public final class BenchCommand implements Callable<Integer> {

    /** The random input is the same on every run. */
    private static final long SEED = 20240229L;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelFiles model;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--threads", paramLabel = "T",
            description = "CPU threads to compute with (OpenMP, which oneDNN runs on, libnd4j's pool and OpenBLAS). "
                    + "Default: the environment variable OMP_NUM_THREADS when the program starts, else every core. "
                    + "The count in effect is printed, with OMP_WAIT_POLICY (the launcher sets PASSIVE: threads that "
                    + "spin while waiting slow everything down on a busy machine).")
    Integer threads;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "K",
            description = "Untimed passes first (one-off allocations, oneDNN's kernel choice), at least K and for at "
                    + "least --warmup_seconds. Default: ${DEFAULT-VALUE}.")
    int warmup;

    /**
     * The JVM keeps compiling for seconds after the start (-XX:+PrintCompilation: about 1,700 compilations in the
     * first second, 150 a second still in seconds 2-4). In four 1500-pass batch-1 SqueezeNet runs without warm-up
     * (2026-12-06, load average 8-10) the first 100 passes' median was 1.0-3.0 times the whole run's, and the slow
     * stretch ended 1.6-9.3 s after the first pass (within 5 s in three of them).
     */
    @Option(names = "--warmup_seconds", defaultValue = "5", paramLabel = "W",
            description = "Untimed passes go on until W seconds have passed, and at least --warmup passes (the JVM "
                    + "compiles for several seconds after the start, slowing the first passes). 0: passes only. "
                    + "Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @ArgGroup(exclusive = true)
    Duration duration = new Duration();

    static final class Duration {
        @Option(names = "--iterations", paramLabel = "M", description = "Exactly M timed passes.")
        Integer iterations;

        @Option(names = "--seconds", paramLabel = "S",
                description = "Timed passes until S seconds have passed (at least one pass). Default: 10.")
        Double seconds;
    }

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the results as JSON: batch, ms_per_image, images_per_s, gflops and more.")
    Path json;

    @Option(names = "--per_layer",
            description = "Also print the time each layer takes (mean per pass over the timed passes), slowest first.")
    boolean perLayer;

    @Option(names = "--mode", defaultValue = "float", paramLabel = "MODE",
            description = "Which engine to time: float (the float32 engine) or fixed (the fixed-point simulator of "
                    + "a quantized CHaiDNN prototxt, timed with the float engine on the same net in the same run "
                    + "for their speed ratio). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--peak_gflops", paramLabel = "G",
            description = "This CPU's peak float32 GFLOP/s for the threads used, to print the achieved fraction of it. "
                    + "Default: estimated from /proc/cpuinfo as threads x clock x 2 FMA units x vector width x 2 "
                    + "(the estimate and its factors are printed).")
    Double peakGflops;

    @Option(names = "--clock_ghz", paramLabel = "F",
            description = "The clock for the peak estimate, e.g. the turbo clock; default: /proc/cpuinfo's "
                    + "'cpu MHz'. Not with --peak_gflops, which replaces the whole estimate.")
    Double clockGhz;

    /** One forward pass of whichever engine is timed, telling {@code times} (if not null) when each layer is done. */
    @FunctionalInterface
    private interface Pass {
        void run(LayerTimes times);
    }

    @Override
    public Integer call() {
        validate();
        // checked before the timing, not refused after it
        OutputPlan outputs = new OutputPlan(List.of(model.deployModel, model.weights)).add("--json", json);
        Net net = LoadedNet.oneInput(model.deployModel, NetLoader.load(model.deployModel, model.weights));
        String threadSource = threadSource();
        if (threads != null) {
            EngineThreads.set(threads);
        }
        FloatEngine engine = new FloatEngine(net);
        INDArray input = randomInput(engine);
        Pass floatPass = times -> engine.forward(input, times);
        Pass timed = floatPass;
        PassTimes floatTimes = null;
        if (mode.equals("fixed")) {
            if (net.layers().stream().noneMatch(l -> l.param().hasPrecisionParam())) {
                throw new ModelException(model.deployModel + ": --mode fixed needs a quantized CHaiDNN prototxt (no "
                        + "precision_param blocks here)");
            }
            FixedPointNet fixed = new FixedPointNet(net);
            float[] values = Tensors.floats(input);
            int layers = net.layers().size();
            // per layer, the simulator only says when a layer is done: its outputs are not dequantized for it
            timed = times -> {
                if (times == null) {
                    fixed.forward(values, batch, null);
                } else {
                    fixed.forwardValuesFirst(values, batch, layers, (layer, tops) -> times.lap(layer));
                }
            };
            floatTimes = timePasses(floatPass, null);
        }
        LayerTimes layerTimes = perLayer ? new LayerTimes() : null;
        PassTimes times = timePasses(timed, layerTimes);
        long multiplyAdds = net.multiplyAddsPerImage();
        int threadsInEffect = EngineThreads.inEffect();
        OptionalLong peak = PeakMemory.residentBytes();
        String natives = NativeBuild.loaded();
        Optional<CpuPeak> estimate = peakGflops != null ? Optional.empty()
                : CpuPeak.of(CpuInfo.read(), threadsInEffect, clockGhz == null ? OptionalDouble.empty() : OptionalDouble.of(clockGhz));
        OptionalDouble cpuPeak = peakGflops != null ? OptionalDouble.of(peakGflops)
                : estimate.map(e -> OptionalDouble.of(e.gflops())).orElse(OptionalDouble.empty());

        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: batch %d, %s engine, %d thread%s (%s), OpenMP wait policy %s%n",
                model.deployModel.getFileName(),
                batch, mode, threadsInEffect, threadsInEffect == 1 ? "" : "s", threadSource, waitPolicy());
        out.printf("ND4J natives   %s%n", natives);
        out.printf("%d warm-up pass%s (at least %d and %s s), %d timed pass%s in %.1f s%n", times.warmupPasses(),
                times.warmupPasses() == 1 ? "" : "es", warmup, NumberText.of(warmupSeconds), times.passes(),
                times.passes() == 1 ? "" : "es", times.totalSeconds());
        out.print(summary(times, multiplyAdds, peak));
        out.println(peakLine(times.gflops(multiplyAdds), cpuPeak, estimate));
        if (floatTimes != null) {
            out.printf("float engine    %.3f ms per image in the same run: the simulator runs %.2f times as fast%n",
                    floatTimes.medianMsPerImage(), floatTimes.medianMsPerImage() / times.medianMsPerImage());
        }
        if (layerTimes != null) {
            out.println();
            out.print(layerTable(layerTimes, times.passes()));
        }
        out.flush();
        if (json != null) {
            Map<String, Object> report = jsonReport(times, multiplyAdds, threadsInEffect, peak);
            report.put("natives", natives);
            report.put("peak_gflops", cpuPeak.isPresent() ? cpuPeak.getAsDouble() : null);
            report.put("fraction_of_peak", cpuPeak.isPresent() ? times.gflops(multiplyAdds) / cpuPeak.getAsDouble() : null);
            if (floatTimes != null) {
                report.put("float_ms_per_image", floatTimes.medianMsPerImage());
                report.put("speed_vs_float", floatTimes.medianMsPerImage() / times.medianMsPerImage());
            }
            String text = Json.print(report);
            outputs.write(Map.of(json, file -> file.write(OutputFile.utf8(text))));
        }
        return 0;
    }

    private void validate() {
        if (!mode.equals("float") && !mode.equals("fixed")) {
            throw bad("--mode must be float or fixed, not '" + mode + "'");
        }
        if (batch < 1) {
            throw bad("--batch must be at least 1, not " + batch);
        }
        if (threads != null && threads < 1) {
            throw bad("--threads must be at least 1, not " + threads);
        }
        if (warmup < 0) {
            throw bad("--warmup must be 0 or more, not " + warmup);
        }
        if (!(warmupSeconds >= 0 && Double.isFinite(warmupSeconds))) {
            throw bad("--warmup_seconds must be 0 or more, not " + warmupSeconds);
        }
        if (duration.iterations != null && duration.iterations < 1) {
            throw bad("--iterations must be at least 1, not " + duration.iterations);
        }
        if (peakGflops != null && !(peakGflops > 0 && Double.isFinite(peakGflops))) {
            throw bad("--peak_gflops must be a positive number, not " + peakGflops);
        }
        if (clockGhz != null && !(clockGhz > 0 && Double.isFinite(clockGhz))) {
            throw bad("--clock_ghz must be a positive number, not " + clockGhz);
        }
        if (clockGhz != null && peakGflops != null) {
            throw bad("--clock_ghz only feeds the peak estimate, which --peak_gflops replaces: give one of them");
        }
        if (duration.seconds != null && !(duration.seconds > 0 && Double.isFinite(duration.seconds))) {
            throw bad("--seconds must be a positive number, not " + duration.seconds);
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private String threadSource() {
        if (threads != null) {
            return "--threads";
        }
        String env = System.getenv("OMP_NUM_THREADS");
        return env != null && !env.isBlank() ? "OMP_NUM_THREADS=" + env.strip() : "default: every core";
    }

    /** OpenMP reads OMP_WAIT_POLICY when ND4J loads; unset, its threads spin for a while before sleeping. */
    private static String waitPolicy() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        return policy == null || policy.isBlank() ? "unset (spinning)" : policy.strip();
    }

    private INDArray randomInput(FloatEngine engine) {
        long[] shape = Arrays.stream(engine.net().shape(engine.inputNames().get(0))).asLongStream().toArray();
        shape[0] = batch;
        long count = Tensors.count(shape);
        if (count > Integer.MAX_VALUE - 8) {
            throw bad("--batch " + batch + " makes an input of " + count + " values, more than one array holds");
        }
        float[] values = new float[(int) count];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return Tensors.of(values, shape);
    }

    /**
     * Warm-up passes until both their count and their time are reached, then timed ones until the pass count or the
     * time budget is reached.
     */
    private PassTimes timePasses(Pass pass, LayerTimes layerTimes) {
        long warmUpEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmedUp = 0;
        while (warmedUp < warmup || System.nanoTime() - warmUpEnd < 0) {
            pass.run(null);
            warmedUp++;
        }
        int passes = duration.iterations != null ? duration.iterations : Integer.MAX_VALUE;
        double budget = duration.iterations != null ? Double.POSITIVE_INFINITY
                : duration.seconds != null ? duration.seconds : 10;
        List<Double> seconds = new ArrayList<>();
        double total = 0;
        while (seconds.size() < passes && (seconds.isEmpty() || total < budget)) {
            if (layerTimes != null) {
                layerTimes.startPass();
            }
            long start = System.nanoTime();
            pass.run(layerTimes);
            double s = (System.nanoTime() - start) / 1e9;
            seconds.add(s);
            total += s;
        }
        return new PassTimes(batch, warmedUp, seconds.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String summary(PassTimes t, long multiplyAdds, OptionalLong peak) {
        return String.format("time per image  %.3f ms (median pass; fastest %.3f, mean %.3f)%n", t.medianMsPerImage(),
                t.minMsPerImage(), t.meanMsPerImage())
                + String.format("images per s    %.1f%n", t.imagesPerSecond())
                + String.format("GFLOP/s         %.1f (%,d multiply-adds per image)%n", t.gflops(multiplyAdds), multiplyAdds)
                + String.format("peak memory     %s%n", peak.isPresent()
                        ? String.format("%.0f MiB resident (whole process)", peak.getAsLong() / 1048576.0) : "unknown");
    }

    private static String peakLine(double achieved, OptionalDouble cpuPeak, Optional<CpuPeak> estimate) {
        if (cpuPeak.isEmpty()) {
            return "of peak         unknown (no clock in /proc/cpuinfo; give --clock_ghz or --peak_gflops)";
        }
        return String.format("of peak         %.1f%% of %s", 100 * achieved / cpuPeak.getAsDouble(),
                estimate.map(e -> e.formula() + " (estimate; --peak_gflops or --clock_ghz to correct it)")
                        .orElse(String.format("%.1f GFLOP/s (--peak_gflops)", cpuPeak.getAsDouble())));
    }

    private static String layerTable(LayerTimes layerTimes, int passes) {
        double total = layerTimes.totals().values().stream().mapToLong(Long::longValue).sum();
        TextTable table = new TextTable("layer", "type", ">ms per pass", ">share");
        layerTimes.totals().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> table.add(e.getKey(), layerTimes.type(e.getKey()),
                        String.format("%.3f", e.getValue() / 1e6 / passes),
                        String.format("%.1f%%", 100 * e.getValue() / total)));
        return table.render();
    }

    private Map<String, Object> jsonReport(PassTimes t, long multiplyAdds, int threadsInEffect, OptionalLong peak) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("engine", "xportdnn " + mode);
        report.put("model", model.deployModel.toString());
        report.put("batch", batch);
        report.put("threads", threadsInEffect);
        report.put("omp_wait_policy", waitPolicy());
        report.put("warmup", warmup);
        report.put("warmup_seconds", warmupSeconds);
        report.put("warmup_passes", t.warmupPasses());
        report.put("iterations", t.passes());
        report.put("ms_per_image", t.medianMsPerImage());
        report.put("ms_per_image_min", t.minMsPerImage());
        report.put("ms_per_image_mean", t.meanMsPerImage());
        report.put("images_per_s", t.imagesPerSecond());
        report.put("gflops", t.gflops(multiplyAdds));
        report.put("multiply_adds_per_image", multiplyAdds);
        report.put("peak_rss_mib", peak.isPresent() ? peak.getAsLong() / 1048576.0 : null);
        report.put("pass_ms", Arrays.stream(t.seconds()).mapToObj(s -> s * 1000).toList());
        return report;
    }
}
