package dev.bulwark.cli;

/**
 * An error meant for the operator: its message is printed as is (no stack trace) and the CLI
 * exits with {@link #exitCode()}.
 */
public final class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** An I/O or configuration error ({@link ExitCode#IO_OR_CONFIG}). */
  public static CliException config(String message) {
    return new CliException(ExitCode.IO_OR_CONFIG, message);
  }

  public int exitCode() {
    return exitCode;
  }
}
