package xportdnn.tune;

/**
 * How far a classifier's scores as the device computes them are from the float net's, as a classifier sees it: the
 * Kullback-Leibler divergence KL(p || q) of their softmax distributions, p from the float scores and q from the
 * device's. Unlike the squared error over all classes it weighs each class by its float probability, so an error
 * on the few classes that compete for the top counts and one on the many classes far below does not, and a shift
 * common to every class (which changes no ranking) costs nothing. Pure function.
 */
final class ClassScoreDivergence {

    private ClassScoreDivergence() {
    }

    /**
     * @param floatScores  the float net's class scores (before the softmax)
     * @param deviceScores the device's, in the same units
     * @return KL(softmax(floatScores) || softmax(deviceScores)), in nats, at least 0
     */
    static double of(double[] floatScores, double[] deviceScores) {
        if (floatScores.length != deviceScores.length) {
            throw new IllegalArgumentException(floatScores.length + " float scores, " + deviceScores.length
                    + " device scores");
        }
        double[] logP = logSoftmax(floatScores);
        double[] logQ = logSoftmax(deviceScores);
        double sum = 0;
        for (int c = 0; c < logP.length; c++) {
            sum += Math.exp(logP[c]) * (logP[c] - logQ[c]);
        }
        return Math.max(0, sum);
    }

    /** log softmax, computed from the largest score down so that no exponential overflows. */
    private static double[] logSoftmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double z = 0;
        for (double s : scores) {
            z += Math.exp(s - max);
        }
        double log = max + Math.log(z);
        double[] out = new double[scores.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = scores[c] - log;
        }
        return out;
    }
}
