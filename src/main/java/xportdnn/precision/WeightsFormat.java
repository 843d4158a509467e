package xportdnn.precision;

/**
 * A format only a layer's weights are held in (per-channel ones of the literature's schemes): no result is ever
 * requantized into it, so the requantizers into it are refused.
 */
interface WeightsFormat extends NumberFormat {

    @Override
    default Requantizer fromProducts(NumberFormat input, NumberFormat weights, float[] bias) {
        throw new UnsupportedOperationException(this + ": weights are not a result format");
    }

    @Override
    default Requantizer from(NumberFormat source) {
        throw new UnsupportedOperationException(this + ": weights are not a result format");
    }
}
