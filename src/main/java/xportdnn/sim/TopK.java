package xportdnn.sim;

/** Indices of the k largest scores, best first; ties go to the lower index (as a stable sort would). */
final class TopK {

    private TopK() {
    }

    static int[] of(float[] scores, int k) {
        int n = Math.min(k, scores.length);
        int[] top = new int[n];
        for (int j = 0; j < n; j++) {
            int best = -1;
            for (int i = 0; i < scores.length; i++) {
                if (taken(top, j, i)) {
                    continue;
                }
                if (best < 0 || scores[i] > scores[best]) {
                    best = i;
                }
            }
            top[j] = best;
        }
        return top;
    }

    private static boolean taken(int[] top, int filled, int i) {
        for (int j = 0; j < filled; j++) {
            if (top[j] == i) {
                return true;
            }
        }
        return false;
    }
}
