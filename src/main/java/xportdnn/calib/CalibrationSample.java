package xportdnn.calib;

import xportdnn.data.ImageSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import xportdnn.model.ModelException;

/**
 * Which images calibrate: either the given indices, or {@code size} images drawn at random without replacement
 * with a fixed seed (so runs repeat), always from the set ordered by name (a directory's relative paths, a list's
 * paths, an IDX file's record numbers) and returned in that order.
 */
public final class CalibrationSample {

    /** The seed used when the user gives none: any fixed number makes runs repeat. */
    public static final long DEFAULT_SEED = 20181017L;

    private CalibrationSample() {
    }

    /**
     * @param indices when not null, exactly these positions in the ordered set (0-based)
     */
    public static List<ImageSet.Entry> select(ImageSet set, int size, long seed, int[] indices) {
        List<ImageSet.Entry> ordered = new ArrayList<>(set.entries());
        ordered.sort(Comparator.comparing(ImageSet.Entry::name));
        if (ordered.isEmpty()) {
            throw new ModelException("the calibration set holds no images");
        }
        if (indices != null) {
            List<ImageSet.Entry> chosen = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            for (int i : indices) {
                if (i < 0 || i >= ordered.size()) {
                    throw new ModelException("--calibration_indices: " + i + " is not in 0.." + (ordered.size() - 1));
                }
                if (!seen.add(i)) { // would weigh that image twice: a typo, not a choice
                    throw new ModelException("--calibration_indices: " + i + " is given twice; give each image's "
                            + "index once");
                }
                chosen.add(ordered.get(i));
            }
            return chosen;
        }
        if (size <= 0) {
            throw new ModelException("--calibration_size: " + size + " is not a positive number");
        }
        if (size >= ordered.size()) {
            return ordered;
        }
        int[] order = new int[ordered.size()];
        Arrays.setAll(order, i -> i);
        Random random = new Random(seed);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] picked = Arrays.copyOf(order, size);
        Arrays.sort(picked);
        List<ImageSet.Entry> chosen = new ArrayList<>(size);
        for (int i : picked) {
            chosen.add(ordered.get(i));
        }
        return chosen;
    }
}
