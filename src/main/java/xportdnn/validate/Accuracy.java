package xportdnn.validate;

/** Top-1 and top-k hit counts over the labelled images of a run. */
public final class Accuracy {

    private int images;
    private int top1;
    private int topK;
    private int oneBelow;

    /** Counts one labelled image. */
    public void add(int label, Prediction prediction) {
        images++;
        if (prediction.top1() == label) {
            top1++;
        }
        if (prediction.top1() == label - 1) {
            oneBelow++;
        }
        if (prediction.ranks(label)) {
            topK++;
        }
    }

    public int images() {
        return images;
    }

    public int top1Correct() {
        return top1;
    }

    /** Images whose label is among the prediction's top classes (top-5, or all classes when there are fewer). */
    public int topKCorrect() {
        return topK;
    }

    /** These counts read for signs of a wrong input ({@link LabelCheck}), for an output of {@code classes}. */
    public LabelCheck labelCheck(int classes) {
        return new LabelCheck(images, top1, oneBelow, classes);
    }

    public double top1() {
        return images == 0 ? 0 : top1 / (double) images;
    }

    public double topK() {
        return images == 0 ? 0 : topK / (double) images;
    }
}
