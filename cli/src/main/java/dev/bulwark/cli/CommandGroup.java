package dev.bulwark.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that only groups others ({@code bulwark audit}, {@code bulwark audit proof}, …): run
 * without one of them, it is a usage error naming them ({@link BulwarkCli#missingSubcommand}).
 */
abstract class CommandGroup implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw BulwarkCli.missingSubcommand(spec);
  }
}
