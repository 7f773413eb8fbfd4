package dev.bulwark.cli;

import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.export.AuditExporter;
import dev.bulwark.audit.export.ExportCursor;
import dev.bulwark.audit.export.ExportException;
import dev.bulwark.audit.export.ExportSink;
import dev.bulwark.audit.export.ExportStats;
import dev.bulwark.audit.export.FileExportCursor;
import dev.bulwark.audit.export.JsonLinesSink;
import dev.bulwark.audit.export.OtlpLogsSink;
import dev.bulwark.audit.export.SiemFormat;
import dev.bulwark.audit.export.SyslogTlsSink;
import dev.bulwark.audit.spi.AuditStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit export}: a range of the log as OCSF, ECS or CEF, to stdout, a JSON-lines file, syslog over TLS or OTLP. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Export audit events for a SIEM as OCSF, ECS or CEF, one event per line, each with the",
        "offline proof against the signed checkpoint that covers it (check one with 'audit proof verify').",
        "Only checkpointed events are exported unless --uncovered is given."},
    footerHeading = "%nExamples:%n",
    footer = {"  bulwark audit export /var/lib/app/audit --format ecs --from 1000 --to 2000 > events.jsonl",
        "  bulwark audit export /var/lib/app/audit --format cef --syslog siem.example.com:6514 --syslog-ca ca.pem \\",
        "      --cursor /var/lib/app/export.cursor"})
final class AuditExportCommand extends Subcommand {
  @Mixin
  AuditSource source;

  @Mixin
  TrustOptions trust;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ocsf",
      description = "ocsf, ecs or cef (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--from", paramLabel = "SEQ", defaultValue = "0",
      description = "First sequence number (default: ${DEFAULT-VALUE}; with --cursor, only when the cursor file is new).")
  long from;

  @Option(names = "--to", paramLabel = "SEQ", description = "Stop before this sequence number (default: all that can be exported).")
  Long to;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Append JSON lines to FILE (forced to disk) instead of stdout.")
  Path output;

  @Option(names = "--syslog", paramLabel = "HOST:PORT", description = "Send to an RFC 5425 syslog receiver over TLS instead of stdout.")
  String syslog;

  @Option(names = "--syslog-ca", paramLabel = "PEM", description = "Trust these PEM certificates for --syslog (default: the JDK's trust store).")
  Path syslogCa;

  @Option(names = "--syslog-hostname", paramLabel = "NAME", defaultValue = "-", description = "HOSTNAME field of the syslog header.")
  String syslogHostname;

  @Option(names = "--otlp", paramLabel = "URL",
      description = "Send to an OTLP/HTTP logs receiver (e.g. http://collector:4318) as protobuf instead of stdout.")
  String otlp;

  @Option(names = "--cursor", paramLabel = "FILE",
      description = "Keep the position in FILE: a later run resumes after the last confirmed event.")
  Path cursorFile;

  @Option(names = "--uncovered", description = "Also export events no checkpoint covers yet (they carry no proof).")
  boolean uncovered;

  @Override
  public Integer call() {
    SiemFormat fmt;
    try {
      fmt = SiemFormat.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--format is ocsf, ecs or cef, not '" + format + "'");
    }
    if (from < 0 || (to != null && to < from)) {
      throw new CliException(ExitCode.USAGE, "need 0 <= --from <= --to");
    }
    if ((output != null ? 1 : 0) + (syslog != null ? 1 : 0) + (otlp != null ? 1 : 0) > 1) {
      throw new CliException(ExitCode.USAGE, "give one of --output, --syslog and --otlp");
    }
    List<CheckpointKey> keys = trust.keys();
    PrintWriter err = err();
    try (AuditStore store = source.open(env())) {
      String origin = source.origin(store, keys);
      ExportCursor cursor = cursorFile == null ? ExportCursor.inMemory(from) : FileExportCursor.open(cursorFile, origin, from);
      try (ExportSink sink = sink()) {
        AuditExporter.Builder b = AuditExporter.builder(store, origin, fmt, sink).cursor(cursor).exportUncovered(uncovered);
        keys.forEach(b::trust);
        if (to != null) {
          b.until(to);
        }
        AuditExporter exporter = b.build();
        exporter.exportAvailable();
        ExportStats s = exporter.stats();
        err.println("exported " + s.delivered() + " events; next " + s.next()
            + (s.dropped() > 0 ? "; " + s.dropped() + " were pruned before export" : ""));
        err.flush();
        return ExitCode.OK;
      }
    } catch (ExportException e) {
      throw CliException.config("export stopped: " + e.getMessage());
    } catch (IOException e) {
      throw CliException.config(e.getMessage());
    }
  }

  private ExportSink sink() throws IOException {
    if (output != null) {
      return JsonLinesSink.appendTo(output, true);
    }
    if (otlp != null) {
      try {
        return OtlpLogsSink.builder(java.net.URI.create(otlp)).build();
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "--otlp: " + e.getMessage());
      }
    }
    if (syslog != null) {
      int colon = syslog.lastIndexOf(':');
      int port;
      try {
        port = Integer.parseInt(syslog.substring(colon + 1));
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        throw new CliException(ExitCode.USAGE, "--syslog is HOST:PORT");
      }
      if (colon <= 0) {
        throw new CliException(ExitCode.USAGE, "--syslog is HOST:PORT");
      }
      try {
        return SyslogTlsSink.builder(syslog.substring(0, colon), port, tls()).hostname(syslogHostname).build();
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
    }
    OutputStream stdout = new OutputStream() {
      @Override
      public void write(int b) {
        throw new UnsupportedOperationException("line writes only");
      }

      @Override
      public void write(byte[] b, int off, int len) {
        PrintWriter out = out();
        out.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {
        out().flush();
      }
    };
    return JsonLinesSink.to(stdout);
  }

  private SSLContext tls() throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      if (syslogCa == null) {
        ctx.init(null, null, null);
        return ctx;
      }
      if (!Files.isRegularFile(syslogCa)) {
        throw CliException.config("--syslog-ca file not found: " + syslogCa);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      try (InputStream in = Files.newInputStream(syslogCa)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca-" + i++, c);
        }
      }
      if (i == 0) {
        throw CliException.config("--syslog-ca " + syslogCa + " holds no certificate");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw CliException.config("cannot read --syslog-ca " + syslogCa + ": " + e.getMessage());
    }
  }
}
