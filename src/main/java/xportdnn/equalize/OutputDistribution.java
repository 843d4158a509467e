package xportdnn.equalize;

/**
 * What a BatchNorm (with its Scale) makes of a convolution's output channels, before equalization: mean {@code
 * beta[c]} and standard deviation {@code |gamma[c]|}, under the statistics it was trained with.
 *
 * @param mean      beta, per output channel
 * @param deviation |gamma|, per output channel
 */
public record OutputDistribution(float[] mean, float[] deviation) {
}
