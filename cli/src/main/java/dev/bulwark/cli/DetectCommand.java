package dev.bulwark.cli;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.detect.Assessment;
import dev.bulwark.detect.Detection;
import dev.bulwark.detect.Detector;
import dev.bulwark.detect.EventKind;
import dev.bulwark.detect.RiskReason;
import dev.bulwark.detect.RiskLevel;
import dev.bulwark.detect.ActivityEvent;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark detect}: run the detectors over what was recorded. */
@Command(name = "detect", mixinStandardHelpOptions = true,
    description = "Run Bulwark's anomaly detectors over a stored audit log.",
    subcommands = {DetectCommand.Replay.class})
final class DetectCommand extends CommandGroup {

  /** {@code detect replay}. */
  @Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Replay the log's login, MFA, session and sign-up events through the detectors (default",
          "thresholds, no location resolver) in log order and print every event they flag.",
          "Exit 0 when nothing reached --min-level, 1 when something did."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark detect replay /var/lib/app/audit --min-level medium"})
  static final class Replay extends Subcommand {
    @Mixin
    AuditSource source;

    @Option(names = "--min-level", paramLabel = "LEVEL", defaultValue = "LOW",
        description = "Print events at or above LOW, MEDIUM or HIGH (default: ${DEFAULT-VALUE}).")
    RiskLevel minLevel;

    @Override
    public Integer call() {
      if (minLevel == RiskLevel.NONE) {
        throw new CliException(ExitCode.USAGE, "--min-level is LOW, MEDIUM or HIGH");
      }
      PrintWriter out = out();
      Detector detector = Detector.builder().build();
      long auditEvents = 0;
      long replayed = 0;
      long printed = 0;
      long unreadable = 0;
      Map<Detection, Long> byDetection = new EnumMap<>(Detection.class);
      try (AuditStore store = source.open(env());
           Stream<StoredEvent> s = store.read(store.head().base().firstSeq())) {
        Iterator<StoredEvent> it = s.iterator();
        while (it.hasNext()) {
          StoredEvent se = it.next();
          LoggedEvent le;
          try {
            if (se.isDamaged()) {
              unreadable++;
              continue;
            }
            le = CanonicalEncoding.decode(se.payload());
          } catch (AuditFormatException e) {
            unreadable++;
            continue;
          }
          auditEvents++;
          ActivityEvent ev = toSecurityEvent(le.event());
          if (ev == null) {
            continue;
          }
          replayed++;
          Assessment a = detector.assess(ev);
          if (a.level().compareTo(minLevel) < 0) {
            continue;
          }
          printed++;
          StringBuilder line = new StringBuilder().append(le.seq()).append(' ').append(ev.at()).append(' ')
              .append(a.level()).append(" account=").append(ev.account()).append(" source=").append(ev.source());
          for (RiskReason f : a.findings()) {
            line.append(" [").append(f.code()).append(": ").append(f.detail()).append(']');
            byDetection.merge(f.detection(), 1L, Long::sum);
          }
          out.println(line);
        }
      }
      StringBuilder summary = new StringBuilder().append("replayed ").append(replayed).append(" security events of ")
          .append(auditEvents).append(" audit events; ").append(printed).append(" at ").append(minLevel)
          .append(" or above");
      if (unreadable > 0) {
        summary.append("; ").append(unreadable).append(" unreadable records skipped (run audit verify)");
      }
      byDetection.forEach((d, n) -> summary.append("; ").append(d.name().toLowerCase(Locale.ROOT)).append('=').append(n));
      out.println(summary);
      out.flush();
      return printed > 0 ? ExitCode.FINDINGS : ExitCode.OK;
    }
  }

  /**
   * The detectors' view of an audit event: logins, MFA challenges and failures, session uses and
   * sign-ups; null for anything else. The account is the target when it is a user or account,
   * else the actor; the device and session come from the {@code device_id} and {@code session_id}
   * details when the host recorded them.
   */
  static ActivityEvent toSecurityEvent(AuditEvent e) {
    EventKind kind = switch (e.action().name()) {
      case "authn_login_success", "authn_login_successafterfail" -> EventKind.LOGIN_SUCCESS;
      case "authn_login_fail", "authn_login_fail_max" -> EventKind.LOGIN_FAILURE;
      case "authn_mfa_challenge" -> EventKind.MFA_CHALLENGE;
      case "authn_mfa_fail" -> EventKind.MFA_FAILURE;
      case "authn_mfa_success" -> EventKind.MFA_SUCCESS;
      case "session_renewed", "session_use" -> EventKind.SESSION_USE;
      case "user_created" -> EventKind.SIGNUP;
      default -> null;
    };
    if (kind == null) {
      return null;
    }
    String account = e.target() != null && (e.target().type().equals("user") || e.target().type().equals("account"))
        ? e.target().id() : e.actor().id();
    return new ActivityEvent(e.occurredAt(), kind, account, e.source().ip(), e.source().userAgent(),
        e.details().get("device_id"), e.details().get("session_id"));
  }
}
