package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.lifecycle.PurgeRefusedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ErrorHandlerTest {

  private static String handle(Exception e, int expected) {
    CommandLine cl = BulwarkCli.commandLine(Cli.env());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(expected, new BulwarkCli.ErrorHandler().handleExecutionException(e, cl, null));
    return err.toString();
  }

  @Test
  void typedErrors_mapToTheirExitCodes_withOneLineMessages() {
    assertTrue(handle(new CliException(ExitCode.USAGE, "bad"), ExitCode.USAGE).equals("bulwark: bad\n".replace("\n",
        System.lineSeparator())));
    handle(new IOException("disk"), ExitCode.IO_OR_CONFIG);
    handle(new AuditStoreException("gone"), ExitCode.IO_OR_CONFIG);
    handle(new GeneralSecurityException("wrong key"), ExitCode.IO_OR_CONFIG);
    handle(new PurgeRefusedException(PurgeRefusedException.Rail.UNUSUAL_VOLUME, "too many"), ExitCode.REFUSED);
    handle(new IllegalArgumentException("nope"), ExitCode.USAGE);
  }

  @Test
  void unexpectedErrors_areInternal_andShowNoStackTraceWithoutDebug() {
    String out = handle(new NullPointerException("boom"), ExitCode.INTERNAL);
    assertTrue(out.startsWith("bulwark: internal error: java.lang.NullPointerException: boom"), out);
    assertTrue(out.contains("--debug"), out);
    assertFalse(out.contains("\tat "), out);
  }

  @Test
  void causeMessage_isAppendedOnce() {
    String out = handle(new AuditStoreException("cannot prepare audit tables", new IOException("connection refused")),
        ExitCode.IO_OR_CONFIG);
    assertTrue(out.contains("cannot prepare audit tables (connection refused)"), out);
  }
}
