package xportdnn.precision;

/**
 * Three numbers in the original tool's order for {@code --bitwidths} and {@code --fl_bitwidths}: input
 * activations, parameters (weights), output activations.
 */
public record InParamsOut(int in, int params, int out) {

    @Override
    public String toString() {
        return in + "," + params + "," + out;
    }
}
