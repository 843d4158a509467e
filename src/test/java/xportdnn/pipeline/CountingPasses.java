package xportdnn.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.CalibrationHistograms;
import xportdnn.calib.ChannelStatistics;
import xportdnn.data.BadImages;
import xportdnn.data.ImageSet;
import xportdnn.data.ImageStore;
import xportdnn.data.Transformer;
import xportdnn.model.Net;

/**
 * The passes of this JVM ({@link FloatPasses#HERE}), counting the images each screening is handed and the text
 * files its store reads. It does not say it runs in this JVM ({@link FloatPasses#inThisJvm}), so compare keeps no
 * float reference with it and scores each scheme through {@link #validate}, every layer compared.
 */
public final class CountingPasses implements FloatPasses {
    /** The size of each selection screened, in order. */
    public final List<Integer> screened = new ArrayList<>();

    /** Each text file read (an image list), in order. */
    public final List<String> read = new ArrayList<>();

    /** Called with each text file once read (a test may empty it then, {@link #emptied}: parsed again, no image). */
    public Consumer<String> afterRead = file -> { };

    /** Called with each scoring job before it runs. */
    public Consumer<ValidationJob> beforeValidate = job -> { };

    /** Empties {@code file}, a list the run has read. */
    public static void emptied(Path file) {
        try {
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ImageStore imageStore() {
        ImageStore local = HERE.imageStore();
        return new ImageStore() {
            @Override
            public boolean local() {
                return local.local();
            }

            @Override
            public boolean isFolder(String location) {
                return local.isFolder(location);
            }

            @Override
            public boolean isFile(String location) {
                return local.isFile(location);
            }

            @Override
            public SortedMap<String, String> files(String folder, Predicate<String> take) {
                return local.files(folder, take);
            }

            @Override
            public List<String> lines(String file) {
                read.add(file);
                List<String> lines = local.lines(file);
                afterRead.accept(file);
                return lines;
            }

            @Override
            public String sibling(String file, String relative) {
                return local.sibling(file, relative);
            }

            @Override
            public ImageSet.Pixels pixels(String file) {
                return local.pixels(file);
            }

            @Override
            public ImageSet records(String file, Path labels) {
                return local.records(file, labels);
            }
        };
    }

    @Override
    public BadImages.Screened screen(List<ImageSet.Entry> images, Transformer transformer, boolean skip) {
        screened.add(images.size());
        return HERE.screen(images, transformer, skip);
    }

    @Override
    public CalibrationHistograms calibrate(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                           int batch, IntConsumer progress) {
        return HERE.calibrate(net, images, transformer, batch, progress);
    }

    @Override
    public CalibrationHistograms histograms(Net net, List<ImageSet.Entry> images, Transformer transformer,
                                            int batch, Map<String, ActivationRange> ranges,
                                            IntConsumer progress) {
        return HERE.histograms(net, images, transformer, batch, ranges, progress);
    }

    @Override
    public Map<String, ChannelStatistics> channelStatistics(Net net, List<ImageSet.Entry> images,
                                                            Transformer transformer, int batch,
                                                            Set<String> layers, IntConsumer progress) {
        return HERE.channelStatistics(net, images, transformer, batch, layers, progress);
    }

    @Override
    public Validated validate(ValidationJob job, List<ImageSet.Entry> images, IntConsumer progress) {
        beforeValidate.accept(job);
        return HERE.validate(job, images, progress);
    }
}
