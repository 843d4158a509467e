package xportdnn.model;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;

/**
 * Reads a deploy prototxt (protobuf text format) strictly: a field our schema does not know is an error, because
 * a silently dropped field would change the net the user meant.
 */
public final class PrototxtReader {

    private static final Pattern UNKNOWN_FIELD = Pattern.compile("^-?\\d+:-?\\d+:\\s*(.+)\\.([^.]+)$");
    private static final TextFormat.Parser PARSER = TextFormat.Parser.newBuilder().build();
    /** Held here: a logger's level is kept only while the logger is reachable. */
    private static final Logger TEXT_FORMAT_LOG = Logger.getLogger(TextFormat.class.getName());
    private static final TextFormat.Parser LENIENT = TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build();

    private PrototxtReader() {
    }

    /** The NetParameter as written (not upgraded); errors name {@code <path>:<line>:<column>}. */
    public static NetParameter read(Path path) {
        String text = readText(path);
        NetParameter.Builder net = NetParameter.newBuilder();
        try {
            PARSER.merge(text, net);
        } catch (TextFormat.ParseException e) {
            forkLayer(text).ifPresent(layer -> {
                throw new ModelException(path + ": layer '" + layer.getName() + "': "
                        + ForkLayerTypes.unknownType(layer, List.of()), e);
            });
            throw new ModelException(path + ":" + e.getLine() + ":" + e.getColumn() + ": " + withoutPosition(e), e);
        }
        return net.build();
    }

    /**
     * The first layer of a type Caffe does not know, when the text parses with unknown fields left out: a fork's
     * layer comes with its own parameter block (upsample_param), unknown too, and the type is the error to report.
     */
    private static Optional<LayerParameter> forkLayer(String text) {
        NetParameter.Builder net = NetParameter.newBuilder();
        Level level = TEXT_FORMAT_LOG.getLevel();
        TEXT_FORMAT_LOG.setLevel(Level.OFF); // it logs every field it leaves out, which the error says instead
        try {
            LENIENT.merge(text, net);
        } catch (TextFormat.ParseException e) {
            return Optional.empty();
        } finally {
            TEXT_FORMAT_LOG.setLevel(level);
        }
        return net.getLayerList().stream().filter(l -> LayerType.of(l) == LayerType.UNKNOWN).findFirst();
    }

    private static String readText(Path path) {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new ModelException(path + ": no such file", e);
        } catch (CharacterCodingException e) {
            throw new ModelException(path + ": cannot read: not a text file (invalid UTF-8)"
                    + SwappedFiles.caffemodelHint(path), e);
        } catch (IOException e) {
            throw IoErrors.cannot("read", path, e);
        }
    }

    /**
     * ParseException messages start with "line:column: ", which our own prefix already says. Unknown fields come
     * as a header line and then one "line:column:\tcaffe.Message.field" line each; the first one is reported.
     */
    private static String withoutPosition(TextFormat.ParseException e) {
        List<String> lines = e.getMessage().lines().toList();
        if (lines.size() > 1) {
            Matcher unknown = UNKNOWN_FIELD.matcher(lines.get(1));
            if (unknown.matches()) {
                int more = lines.size() - 2;
                return "unknown field '" + unknown.group(2) + "' in " + unknown.group(1)
                        + (more > 0 ? " (and " + more + " more unknown field" + (more > 1 ? "s" : "") + ")" : "");
            }
        }
        return lines.isEmpty() ? "syntax error" : lines.get(0).replaceFirst("^-?\\d+:-?\\d+: ", "");
    }
}
