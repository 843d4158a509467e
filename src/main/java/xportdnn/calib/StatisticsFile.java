package xportdnn.calib;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xportdnn.calib.proto.StatisticsProto;
import xportdnn.model.FileDigest;
import xportdnn.model.IoErrors;
import xportdnn.model.ModelException;

/**
 * The calibration cache on disk ({@code proto/statistics.proto}): a versioned protobuf message whose body carries
 * a sha-256, so that a truncated or altered file is refused in one line rather than read as fewer statistics.
 */
public final class StatisticsFile {

    static final String MAGIC = "xportdnn calibration statistics";

    /** Bumped when a field changes meaning; a file of another format is refused. */
    public static final int FORMAT = 1;

    private StatisticsFile() {
    }

    /** The file's bytes. */
    public static byte[] encode(SavedStatistics saved) {
        StatisticsProto.CalibrationStatistics.Builder body = StatisticsProto.CalibrationStatistics.newBuilder()
                .setToolVersion(saved.toolVersion())
                .setOrigin(origin(saved.origin()))
                .addAllRangeImages(saved.rangeImages())
                .addAllImages(saved.images());
        saved.layers().forEach((name, h) -> {
            StatisticsProto.LayerStatistics.Builder layer = StatisticsProto.LayerStatistics.newBuilder()
                    .setLayer(name).setRange(range(h.range())).setSumAbsDeviation(h.sumAbsDeviation());
            if (h.fine() != null) {
                layer.setSqrtRule(histogram(h.sqrtRule())).setFine(histogram(h.fine()));
            }
            body.addLayer(layer);
        });
        ByteString bytes = body.build().toByteString();
        return StatisticsProto.StatisticsFile.newBuilder().setMagic(MAGIC).setFormat(FORMAT).setBody(bytes)
                .setSha256(ByteString.copyFrom(FileDigest.bytes(bytes.toByteArray()))).build().toByteArray();
    }

    /**
     * Reads a file written by {@link #encode}.
     *
     * @throws ModelException naming the file when it cannot be read, is not a statistics file, is truncated or
     *                        corrupt, or is of another format
     */
    public static SavedStatistics read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw IoErrors.cannot("read the statistics", file, e);
        }
        try {
            StatisticsProto.StatisticsFile wrapper = StatisticsProto.StatisticsFile.parseFrom(bytes);
            if (!MAGIC.equals(wrapper.getMagic())) {
                throw bad(file, "not an xportdnn statistics file (written by --save_statistics)");
            }
            if (wrapper.getFormat() != FORMAT) {
                throw bad(file, "statistics format " + wrapper.getFormat() + ", this xportdnn reads format " + FORMAT
                        + "; save them again");
            }
            byte[] body = wrapper.getBody().toByteArray();
            if (!wrapper.hasSha256() || !MessageDigest.isEqual(FileDigest.bytes(body), wrapper.getSha256().toByteArray())) {
                throw bad(file, "truncated or corrupt (its checksum does not match)");
            }
            return saved(file, StatisticsProto.CalibrationStatistics.parseFrom(body));
        } catch (InvalidProtocolBufferException e) {
            throw bad(file, "truncated or corrupt, or not an xportdnn statistics file (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw bad(file, "inconsistent statistics: " + e.getMessage());
        }
    }

    private static SavedStatistics saved(Path file, StatisticsProto.CalibrationStatistics s) {
        Set<String> ranged = new HashSet<>(s.getRangeImagesList());
        if (ranged.size() != s.getRangeImagesCount() || new HashSet<>(s.getImagesList()).size() != s.getImagesCount()
                || !ranged.containsAll(s.getImagesList()) || s.getImagesCount() == 0) {
            throw bad(file, "inconsistent image lists");
        }
        Map<String, BlobHistograms> layers = new LinkedHashMap<>();
        for (StatisticsProto.LayerStatistics l : s.getLayerList()) {
            StatisticsProto.Range r = l.getRange();
            ActivationRange range = ActivationRange.of(r.getCount(), r.getMaxAbs(), r.getMinAbs(), r.getSum(),
                    r.getSumSquares());
            BlobHistograms h = BlobHistograms.of(range, l.hasSqrtRule() ? histogram(l.getSqrtRule()) : null,
                    l.hasFine() ? histogram(l.getFine()) : null, l.getSumAbsDeviation());
            if (layers.put(l.getLayer(), h) != null) {
                throw bad(file, "layer '" + l.getLayer() + "' appears twice");
            }
        }
        StatisticsProto.Origin o = s.getOrigin();
        Map<String, String> preprocessing = new LinkedHashMap<>();
        o.getPreprocessingList().forEach(p -> preprocessing.put(p.getName(), p.getValue()));
        return new SavedStatistics(file.toString(), s.getToolVersion(),
                new StatisticsOrigin(o.getNet(), o.getNetDigest(), o.getFolded(), o.getEqualizedDigest(),
                        preprocessing),
                s.getRangeImagesList(), s.getImagesList(), layers);
    }

    private static StatisticsProto.Origin origin(StatisticsOrigin o) {
        StatisticsProto.Origin.Builder b = StatisticsProto.Origin.newBuilder().setNet(o.net())
                .setNetDigest(o.netDigest()).setFolded(o.folded());
        if (o.equalized()) {
            b.setEqualizedDigest(o.equalizedDigest());
        }
        o.preprocessing().forEach((k, v) -> b.addPreprocessing(StatisticsProto.Setting.newBuilder().setName(k)
                .setValue(v)));
        return b.build();
    }

    private static StatisticsProto.Range range(ActivationRange r) {
        return StatisticsProto.Range.newBuilder().setCount(r.count()).setMaxAbs(r.maxAbs()).setMinAbs(r.minAbs())
                .setSum(r.sum()).setSumSquares(r.sumSquares()).build();
    }

    private static StatisticsProto.Histogram histogram(AbsHistogram h) {
        StatisticsProto.Histogram.Builder b = StatisticsProto.Histogram.newBuilder().setHi(h.hi())
                .setZeros(h.zeros());
        for (long c : h.counts()) {
            b.addCounts(c);
        }
        return b.build();
    }

    private static AbsHistogram histogram(StatisticsProto.Histogram h) {
        List<Long> counts = h.getCountsList();
        long[] c = new long[counts.size()];
        for (int k = 0; k < c.length; k++) {
            c[k] = counts.get(k);
        }
        if (c.length == 0) {
            throw new IllegalArgumentException("a histogram without bins");
        }
        return AbsHistogram.of(h.getHi(), c, h.getZeros());
    }

    private static ModelException bad(Path file, String what) {
        return new ModelException(file + ": " + what);
    }
}
