package dev.bulwark.cli;

import dev.bulwark.authz.Authorizer;
import dev.bulwark.authz.Binding;
import dev.bulwark.authz.AccessDecision;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.PolicyException;
import dev.bulwark.authz.PolicyJson;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Resource;
import dev.bulwark.authz.jdbc.JdbcAuthzStore;
import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.authz.spi.AuthzStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark authz}: explain a decision, list due access reviews, verify row-level security. */
@Command(name = "authz", mixinStandardHelpOptions = true,
    description = "Authorization: why a principal is allowed or denied, which bindings are due for review, and "
        + "whether PostgreSQL row-level security can be bypassed.",
    subcommands = {AuthzCommand.Explain.class, AuthzCommand.Review.class, AuthzCommand.VerifyRls.class})
final class AuthzCommand extends CommandGroup {

  /** Where the policy comes from: a file, or the JDBC store. */
  static final class Source {
    @Option(names = "--policy", paramLabel = "FILE", description = "Policy file (JSON).")
    Path file;

    @Mixin
    Database.Options db;

    Policy load(Environment env) {
      if ((file == null) == !db.present()) {
        throw new CliException(ExitCode.USAGE, "name exactly one of --policy FILE or --jdbc-url");
      }
      if (file != null) {
        try (InputStream in = Files.newInputStream(file)) {
          return PolicyJson.parse(in);
        } catch (NoSuchFileException e) {
          throw CliException.config("no such policy file: " + file);
        } catch (IOException e) {
          throw CliException.config("cannot read " + file + ": " + e.getMessage());
        } catch (PolicyException e) {
          throw new CliException(ExitCode.FINDINGS, "invalid policy: " + e.getMessage());
        }
      }
      AuthzStore.Snapshot s = JdbcAuthzStore.builder(env.dataSources().open(db)).createSchema(false).build().read();
      return s.policy().withVersion(s.policy().version() + "@r" + s.revision());
    }
  }

  static Instant instant(String s, String option) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new CliException(ExitCode.USAGE, option + " must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
    }
  }

  /** {@code authz explain}. */
  @Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Decide one request with the policy and say why: the reason, the matching binding or deny rule, "
          + "and the policy version. Exit 0 when allowed, 1 when denied."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark authz explain --policy policy.json --principal user:bob --action read "
          + "--tenant acme --resource document:d-1 --ancestor folder:f-7"})
  static final class Explain extends Subcommand {
    @Mixin
    Source source;

    @Option(names = "--principal", required = true, paramLabel = "KIND:ID", description = "user:ID or service:ID")
    String principal;

    @Option(names = "--action", required = true, description = "The action, e.g. read.")
    String action;

    @Option(names = "--tenant", required = true, description = "The organization.")
    String tenant;

    @Option(names = "--resource", required = true, paramLabel = "TYPE:ID", description = "The resource.")
    String resource;

    @Option(names = "--ancestor", paramLabel = "TYPE:ID", description = "An enclosing resource (repeatable).")
    List<String> ancestors = new ArrayList<>();

    @Option(names = "--at", paramLabel = "INSTANT", description = "Decide as of this time (default: now).")
    String at;

    @Override
    public Integer call() {
      Environment env = env();
      Principal who;
      try {
        who = Principal.parse(principal);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "--principal: " + e.getMessage());
      }
      int colon = resource.indexOf(':');
      if (colon <= 0) {
        throw new CliException(ExitCode.USAGE, "--resource must be TYPE:ID");
      }
      Clock clock = at == null ? env.clock() : Clock.fixed(instant(at, "--at"), ZoneOffset.UTC);
      Authorizer authorizer;
      try {
        authorizer = Authorizer.compile(source.load(env), clock);
      } catch (PolicyException e) {
        throw new CliException(ExitCode.FINDINGS, "invalid policy: " + e.getMessage());
      }
      AccessDecision d = authorizer.check(who, action, new Resource(tenant, resource.substring(0, colon),
          resource.substring(colon + 1), ancestors));
      PrintWriter out = out();
      out.println((d.allowed() ? "ALLOWED" : "DENIED") + " (" + d.reason() + ")");
      out.println("  " + d.explanation());
      out.println("  rules: " + (d.matchedRules().isEmpty() ? "-" : String.join(", ", d.matchedRules())));
      out.println("  policy version: " + d.policyVersion());
      return d.allowed() ? ExitCode.OK : ExitCode.FINDINGS;
    }
  }

  /** {@code authz review}. */
  @Command(name = "review", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"List the bindings whose review date falls within the horizon, soonest first; lapsed ones "
          + "(past their date, granting nothing until certified) are marked LAPSED."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark authz review --policy policy.json --within P30D",
          "  bulwark authz review --jdbc-url jdbc:postgresql://db/app --within P7D"})
  static final class Review extends Subcommand {
    @Mixin
    Source source;

    @Option(names = "--within", defaultValue = "P30D", paramLabel = "DURATION",
        description = "Horizon as an ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration within;

    @Override
    public Integer call() {
      Environment env = env();
      if (within.isNegative()) {
        throw new CliException(ExitCode.USAGE, "--within must not be negative");
      }
      Instant now = env.clock().instant();
      Instant horizon = now.plus(within);
      List<Binding> due = source.load(env).bindings().stream()
          .filter(b -> b.reviewBy().isPresent() && !b.reviewBy().get().isAfter(horizon))
          .sorted(java.util.Comparator.comparing((Binding b) -> b.reviewBy().get()).thenComparing(Binding::id))
          .toList();
      PrintWriter out = out();
      for (Binding b : due) {
        out.println((b.reviewBy().get().isAfter(now) ? "DUE    " : "LAPSED ") + b.reviewBy().get() + "  " + b.id()
            + "  " + b.principal() + "  role " + b.role() + "  in " + b.tenant() + " (" + b.scope() + ")");
      }
      out.println(due.size() + " binding(s) due by " + horizon);
      return ExitCode.OK;
    }
  }

  /** {@code authz verify-rls}. */
  @Command(name = "verify-rls", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Connect as the application role and list every way row-level security on the tenant tables "
          + "can be bypassed. Exit 0 when there is none, 1 otherwise."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark authz verify-rls --jdbc-url jdbc:postgresql://db/app --db-user app --table notes"})
  static final class VerifyRls extends Subcommand {
    @Mixin
    Database.Options db;

    @Option(names = "--table", required = true, paramLabel = "TABLE", description = "A tenant table (repeatable).")
    List<String> tables;

    @Override
    public Integer call() {
      List<RlsVerifier.Finding> findings;
      try {
        findings = RlsVerifier.verify(env().dataSources().open(db), tables);
      } catch (SQLException e) {
        throw CliException.config("cannot read the catalog: " + e.getMessage());
      }
      PrintWriter out = out();
      for (RlsVerifier.Finding f : findings) {
        out.println(f);
      }
      out.println(findings.isEmpty() ? "row-level security holds for " + tables.size() + " table(s)"
          : findings.size() + " finding(s): row-level security can be bypassed");
      return findings.isEmpty() ? ExitCode.OK : ExitCode.FINDINGS;
    }
  }
}
