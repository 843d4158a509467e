package xportdnn.model;

/**
 * A problem with the user's input (a file, a flag, a layer) described in one line that names where it is:
 * the command line prints the message alone and exits with status 2.
 */
public class ModelException extends RuntimeException {

    public ModelException(String message) {
        super(oneLine(message));
    }

    public ModelException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Messages quote other libraries' texts, which may span lines; ours is always one. */
    private static String oneLine(String message) {
        return message == null ? "unknown error" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** A problem with one layer: {@code layer '<name>': <what>}. */
    public static ModelException inLayer(String layerName, String what) {
        return new ModelException("layer '" + layerName + "': " + what);
    }

    /** The same problem, prefixed with the file it was found in: {@code <file>: <message>}. */
    public ModelException inFile(Object file) {
        return new ModelException(file + ": " + getMessage(), this);
    }
}
