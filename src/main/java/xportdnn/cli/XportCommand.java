package xportdnn.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code xportdnn} command: the original tool's flags, plus subcommands. */
@Command(name = "xportdnn", mixinStandardHelpOptions = true, version = "xportdnn 0.1.0",
        description = "Turns a float Caffe model into a CHaiDNN fixed-point model and checks it on the host.",
        subcommands = {InspectCommand.class})
final class XportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
