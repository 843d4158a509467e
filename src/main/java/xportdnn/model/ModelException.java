package xportdnn.model;

/**
 * A problem with the user's input (a file, a flag, a layer) described in one line that names where it is:
 * the command line prints the message alone and exits with status 2.
 */
public class ModelException extends RuntimeException {

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
