package dev.bulwark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that does the work ({@code bulwark audit verify}, {@code bulwark keys rotate}, …): its
 * picocli model, the {@link Environment} of the {@code bulwark} command it runs under, and the
 * writers it prints to. It returns its exit status ({@link ExitCode}).
 */
abstract class Subcommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  /** The environment {@link BulwarkCli#commandLine} was built with. */
  Environment env() {
    return ((BulwarkCli) spec.root().userObject()).environment();
  }

  /** Where the command's output goes (standard output, or what a test set). */
  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Where warnings and progress go (standard error, or what a test set). */
  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
