package dev.bulwark.cli;

import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.common.StoreException;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.PurgeRefusedException;
import dev.bulwark.lifecycle.jdbc.MappingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * The {@code bulwark} operator command line: verify and prove the audit log, rotate and rewrap
 * keys, run purges. Build one with {@link #commandLine(Environment)} and call
 * {@link CommandLine#execute}; {@link #main} does that and exits with its status.
 *
 * <p>Errors never reach the operator as a stack trace: {@link CliException}s and the library
 * modules' typed exceptions become a one-line message and an exit status ({@link ExitCode});
 * anything else is an internal error (exit 4), whose stack trace {@code --debug} shows.
 */
@Command(name = "bulwark", mixinStandardHelpOptions = true, versionProvider = BulwarkCli.Version.class,
    description = "Bulwark operator tool: audit log verification and proofs, key rotation and rewrap, purges.",
    subcommands = {AuditCommand.class, KeysCommand.class, LifecycleCommand.class, DetectCommand.class, AuthzCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:ok; for audit verify: the log is intact",
      "1:a check failed: findings in the log, proof rejected, items not rewrapped",
      "2:usage error (bad or missing argument)",
      "3:I/O or configuration error (missing file, unreachable database, wrong key)",
      "4:internal error (a bug; re-run with --debug)",
      "5:a purge safety rail refused the run (nothing deleted)"})
public final class BulwarkCli implements Runnable {

  @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of internal errors.")
  boolean debug;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final Environment environment;

  BulwarkCli(Environment environment) {
    this.environment = environment;
  }

  Environment environment() {
    return environment;
  }

  @Override
  public void run() {
    throw missingSubcommand(spec);
  }

  /**
   * The usage error of {@code bulwark} or a command group run without one of its commands. It
   * names every command the group has (but {@code help}), read from picocli's model, so the list
   * follows the {@code subcommands} of the annotation.
   */
  static CommandLine.ParameterException missingSubcommand(CommandLine.Model.CommandSpec spec) {
    List<String> names = new ArrayList<>();
    for (CommandLine sub : new LinkedHashSet<>(spec.subcommands().values())) {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        names.add(sub.getCommandName());
      }
    }
    String list = names.size() < 2 ? String.join("", names)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    boolean root = spec.parent() == null;
    return new CommandLine.ParameterException(spec.commandLine(),
        (root ? "missing command: " : "missing subcommand: ") + list + (root ? " (see --help)" : ""));
  }

  /** The command line over {@code environment}, with the CLI's error handling. */
  public static CommandLine commandLine(Environment environment) {
    CommandLine cl = new CommandLine(new BulwarkCli(environment));
    ErrorHandler handler = new ErrorHandler();
    cl.setExecutionExceptionHandler(handler);
    cl.setParameterExceptionHandler(handler::handleParseException);
    cl.setExecutionStrategy(parsed -> runCatchingErrors(parsed, handler));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExpandAtFiles(false);
    cl.setUsageHelpAutoWidth(true);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine(Environment.system()).execute(args));
  }

  /**
   * Runs the chosen command; an {@link Error} it throws (picocli passes only {@link Exception}s to
   * the execution exception handler) gets the same one-line treatment instead of a stack trace.
   */
  private static int runCatchingErrors(ParseResult parsed, ErrorHandler handler) {
    try {
      return new CommandLine.RunLast().execute(parsed);
    } catch (CommandLine.ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        return handler.handle(error, e.getCommandLine(), parsed);
      }
      throw e;
    } catch (CommandLine.ParameterException e) {
      throw e;
    } catch (Error error) {
      return handler.handle(error, last(parsed).commandSpec().commandLine(), parsed);
    }
  }

  private static ParseResult last(ParseResult parsed) {
    ParseResult p = parsed;
    while (p.hasSubcommand()) {
      p = p.subcommand();
    }
    return p;
  }

  /** Maps exceptions and errors to a message and an exit status. */
  static final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
      return handle(ex, cl, parsed);
    }

    /** A bad command line: one {@code bulwark:} line, picocli's suggestions, then the usage. */
    int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      err.println("bulwark: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      cl.usage(err, cl.getColorScheme());
      err.flush();
      return ExitCode.USAGE;
    }

    int handle(Throwable ex, CommandLine cl, ParseResult parsed) {
      PrintWriter err = cl.getErr();
      int code = exitCode(ex);
      if (ex instanceof CommandLine.ParameterException pe) {
        err.println("bulwark: " + pe.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCode.USAGE;
      }
      err.println("bulwark: " + message(ex, code));
      if (code == ExitCode.INTERNAL && debug(parsed)) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    }

    private static boolean debug(ParseResult parsed) {
      ParseResult p = parsed;
      while (p != null) {
        if (p.hasMatchedOption("--debug")) {
          return true;
        }
        p = p.hasSubcommand() ? p.subcommand() : null;
      }
      return false;
    }

    static int exitCode(Throwable ex) {
      if (ex instanceof CliException c) {
        return c.exitCode();
      }
      if (ex instanceof PurgeRefusedException) {
        return ExitCode.REFUSED;
      }
      if (ex instanceof AuditFormatException) {
        return ExitCode.FINDINGS;
      }
      // Every module's infrastructure failure is a StoreException; refusals and verdicts follow.
      if (ex instanceof StoreException || ex instanceof IOException || ex instanceof UncheckedIOException
          || ex instanceof AuditStoreException || ex instanceof AuditException || ex instanceof MappingException
          || ex instanceof LifecycleException || ex instanceof GeneralSecurityException) {
        return ExitCode.IO_OR_CONFIG;
      }
      if (ex instanceof IllegalArgumentException) {
        return ExitCode.USAGE;
      }
      return ExitCode.INTERNAL;
    }

    static String message(Throwable ex, int code) {
      if (code == ExitCode.INTERNAL) {
        return "internal error: " + ex.getClass().getName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage())
            + " (re-run with --debug for details)";
      }
      StringBuilder sb = new StringBuilder(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
      Throwable cause = ex.getCause();
      if (cause != null && cause.getMessage() != null && !sb.toString().contains(cause.getMessage())
          && !(ex instanceof CliException)) {
        sb.append(" (").append(cause.getMessage()).append(')');
      }
      return sb.toString();
    }
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BulwarkCli.class.getPackage().getImplementationVersion();
      return new String[] {"bulwark " + (v == null ? "(development build)" : v)};
    }
  }
}
