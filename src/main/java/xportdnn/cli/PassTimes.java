package xportdnn.cli;

import java.util.Arrays;

/**
 * The wall times of a benchmark's timed forward passes, each over the same batch, and their spread; and how many
 * untimed warm-up passes came first.
 */
record PassTimes(int batch, int warmupPasses, double[] seconds) {

    PassTimes {
        if (batch < 1 || warmupPasses < 0 || seconds.length == 0) {
            throw new IllegalArgumentException("need a batch and at least one pass");
        }
        seconds = seconds.clone();
    }

    @Override
    public double[] seconds() {
        return seconds.clone();
    }

    int passes() {
        return seconds.length;
    }

    double totalSeconds() {
        return Arrays.stream(seconds).sum();
    }

    /** Milliseconds per image of the median pass: the headline number, robust to a few passes disturbed by other load. */
    double medianMsPerImage() {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return perImageMs(median);
    }

    double minMsPerImage() {
        return perImageMs(Arrays.stream(seconds).min().orElseThrow());
    }

    double meanMsPerImage() {
        return perImageMs(totalSeconds() / seconds.length);
    }

    /** Images per second at the median pass time. */
    double imagesPerSecond() {
        return 1000 / medianMsPerImage();
    }

    /** Achieved GFLOP/s at the median pass time, counting a multiply-add as two operations. */
    double gflops(long multiplyAddsPerImage) {
        return 2.0 * multiplyAddsPerImage * imagesPerSecond() / 1e9;
    }

    private double perImageMs(double passSeconds) {
        return passSeconds * 1000 / batch;
    }
}
