package xportdnn.validate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The predictions table of the reference files ({@code reference/<model>/predictions.tsv}): a header line, then one
 * tab-separated line per image: image name, label (-1 when unknown), top-1 class, the top-5 classes comma-separated
 * and the top-1 probability with at most 8 decimals (trailing zeros dropped).
 */
public final class PredictionsTsv {

    public static final String HEADER = "image\tlabel\ttop1\ttop5\ttop1_prob";

    /** The label column of an image without a label. */
    public static final int NO_LABEL = -1;

    private final StringBuilder text = new StringBuilder(HEADER).append('\n');

    public void add(String image, OptionalInt label, Prediction prediction) {
        text.append(image).append('\t')
                .append(label.orElse(NO_LABEL)).append('\t')
                .append(prediction.top1()).append('\t')
                .append(Arrays.stream(prediction.classes()).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                .append('\t')
                .append(probability(prediction.probabilities()[0])).append('\n');
    }

    /** The whole table so far. */
    public String text() {
        return text.toString();
    }

    /** {@code p} rounded to 8 decimals without trailing zeros, as the reference prints it: 0.3128913, 1. */
    static String probability(double p) {
        return new BigDecimal(p).setScale(8, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }
}
