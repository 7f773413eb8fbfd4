package dev.bulwark.cli;

import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.DirectoryAnchor;
import dev.bulwark.audit.Finding;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.MerkleProofs;
import dev.bulwark.audit.ProofBundle;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.jdbc.JdbcCheckpointAnchor;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark audit}: verify the log, export and check offline proofs, read its newest events. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Verify the hash-chained audit log, export and verify offline proofs, tail it.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Proof.class, AuditCommand.Tail.class, AuditRecover.class,
        AuditExportCommand.class})
final class AuditCommand extends CommandGroup {

  /** {@code audit verify}. */
  @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Check a stored audit log end to end and print every finding with its code.",
          "Exit 0 only when the log is intact (no ERROR finding); 1 when it is not."},
      footerHeading = "%nExamples:%n",
      footer = {"  bulwark audit verify /var/lib/app/audit --public-key-file audit.vkey --anchor-dir /mnt/worm/audit",
          "  bulwark audit verify --jdbc-url jdbc:postgresql://db/app --db-user auditor --log app --json"})
  static final class Verify extends Subcommand {
    @Mixin
    AuditSource source;

    @Mixin
    TrustOptions trust;

    @Option(names = "--chain-key-file", paramLabel = "FILE",
        description = "HMAC chain key (raw bytes or base64) to check a keyed chain's tags.")
    Path chainKeyFile;

    @Option(names = "--anchor-dir", paramLabel = "DIR",
        description = "A directory anchor holding copies of signed checkpoints (detects truncation and rollback). Repeatable.")
    List<Path> anchorDirs = new ArrayList<>();

    @Option(names = "--jdbc-anchor",
        description = "Also read anchored checkpoints from the bulwark_audit_anchor table of the --jdbc-url database.")
    boolean jdbcAnchor;

    @Option(names = "--strict", description = "Exit 1 also when something could not be checked (no key, no anchor).")
    boolean strict;

    @Option(names = "--allow-empty",
        description = "Accept a log with no events and no checkpoint (by default that exits 1: a wrong path or a wiped log).")
    boolean allowEmpty;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
      List<CheckpointKey> keys = trust.keys();
      for (Path a : anchorDirs) {
        if (!Files.isDirectory(a)) {
          throw CliException.config("anchor directory not found: " + a);
        }
      }
      try (AuditStore store = source.open(env())) {
        String origin = source.origin(store, keys);
        AuditVerifier.Builder b = AuditVerifier.builder(origin);
        keys.forEach(b::trust);
        if (chainKeyFile != null) {
          b.chainKey(TrustOptions.chainKey(chainKeyFile));
        }
        anchorDirs.forEach(d -> b.anchor(new DirectoryAnchor(d)));
        if (jdbcAnchor) {
          if (!source.db.present()) {
            throw new CliException(ExitCode.USAGE, "--jdbc-anchor needs --jdbc-url");
          }
          b.anchor(new JdbcCheckpointAnchor(env().dataSources().open(source.db)));
        }
        VerificationReport report = b.build().verify(store);
        // Nothing to verify is not evidence of integrity: an empty directory, a directory of
        // foreign files or a wiped table would otherwise read as INTACT.
        boolean refusedEmpty = isEmpty(report, store) && !allowEmpty;
        PrintWriter out = out();
        if (json) {
          Map<String, Object> m = toJson(report);
          m.put("empty", isEmpty(report, store));
          if (refusedEmpty) {
            m.put("intact", false);
            m.put("fullyVerified", false);
          }
          out.println(Json.write(m));
        } else if (refusedEmpty) {
          String summary = report.summary();
          out.println(report.origin() + ": EMPTY, no events and no checkpoint in " + source.describe()
              + " (not intact; pass --allow-empty if an empty log is expected)");
          out.print(summary.substring(summary.indexOf('\n') + 1));
        } else {
          out.print(report.summary());
        }
        out.flush();
        boolean ok = !refusedEmpty && (strict ? report.fullyVerified() : report.intact());
        return ok ? ExitCode.OK : ExitCode.FINDINGS;
      }
    }

    /** No event was ever stored (sequence numbers start at 0) and no checkpoint exists. */
    static boolean isEmpty(VerificationReport r, AuditStore store) {
      return r.size() == 0 && r.lastCheckpointSize() == 0 && store.checkpoints().isEmpty();
    }

    static Map<String, Object> toJson(VerificationReport r) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("origin", r.origin());
      m.put("intact", r.intact());
      m.put("fullyVerified", r.fullyVerified());
      m.put("firstSeq", r.firstSeq());
      m.put("size", r.size());
      m.put("eventsChecked", r.eventsChecked());
      m.put("lastCheckpointSize", r.lastCheckpointSize());
      List<Map<String, Object>> findings = new ArrayList<>();
      for (Finding f : r.findings()) {
        Map<String, Object> fm = new LinkedHashMap<>();
        fm.put("code", f.code().name());
        fm.put("level", f.code().level().name());
        fm.put("seq", f.seq());
        fm.put("location", f.location());
        fm.put("message", f.message());
        findings.add(fm);
      }
      m.put("findings", findings);
      m.put("notChecked", r.notChecked());
      return m;
    }
  }

  /** {@code audit proof}. */
  @Command(name = "proof", mixinStandardHelpOptions = true,
      description = "Export one event's offline proof (C2SP tlog-proof), or verify one with the public key alone.",
      subcommands = {ProofExport.class, ProofVerify.class})
  static final class Proof extends CommandGroup {}

  /** {@code audit proof export}. */
  @Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Write an offline proof for event SEQ: the event, its Merkle inclusion proof and the newest "
          + "signed checkpoint the store holds that covers it. Needs no private key.",
          "Give --public-key to check the proof before it is written."},
      footerHeading = "%nExample:%n",
      footer = "  bulwark audit proof export /var/lib/app/audit --seq 42 --public-key-file audit.vkey -o event-42.proof")
  static final class ProofExport extends Subcommand {
    @Mixin
    AuditSource source;

    @Mixin
    TrustOptions trust;

    @Option(names = "--seq", required = true, paramLabel = "N", description = "Sequence number of the event.")
    long seq;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the proof here (default: stdout).")
    Path output;

    @Override
    public Integer call() throws IOException {
      if (seq < 0) {
        throw new CliException(ExitCode.USAGE, "--seq must be >= 0");
      }
      List<CheckpointKey> keys = trust.keys();
      ProofBundle bundle;
      String origin;
      try (AuditStore store = source.open(env())) {
        origin = source.origin(store, keys);
        bundle = build(store, origin, keys, seq);
      }
      if (!keys.isEmpty()) {
        try {
          bundle.verify(origin, keys);
        } catch (AuditFormatException e) {
          throw new CliException(ExitCode.FINDINGS, "the exported proof does not verify: " + e.getMessage());
        }
      }
      String text = bundle.text();
      if (output == null) {
        PrintWriter out = out();
        out.print(text);
        out.flush();
      } else {
        Files.writeString(output, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        PrintWriter err = err();
        err.println("proof for seq " + seq + " (checkpoint size " + bundle.checkpoint().checkpoint().size()
            + ") written to " + output);
        err.flush();
      }
      return ExitCode.OK;
    }

    static ProofBundle build(AuditStore store, String origin, List<CheckpointKey> keys, long seq) {
      if (store.head().base().firstSeq() > 0) {
        throw CliException.config("the log was pruned (it starts at seq " + store.head().base().firstSeq()
            + "); export proofs from the application with AuditLog.exportProof");
      }
      // The newest stored checkpoint of this log that covers seq (and that a trusted key signed).
      SignedCheckpoint chosen = null;
      List<String> notes = store.checkpoints();
      for (int i = notes.size() - 1; i >= 0 && chosen == null; i--) {
        try {
          SignedCheckpoint cp = SignedCheckpoint.parse(notes.get(i));
          if (cp.checkpoint().origin().equals(origin) && cp.checkpoint().size() > seq
              && cp.checkpoint().size() <= Integer.MAX_VALUE && (keys.isEmpty() || !cp.verifiedBy(keys).isEmpty())) {
            chosen = cp;
          }
        } catch (AuditFormatException e) {
          // Damaged notes are for the verifier to report; try an older one.
        }
      }
      if (chosen == null) {
        throw new CliException(ExitCode.FINDINGS, "no " + (keys.isEmpty() ? "" : "trusted ")
            + "signed checkpoint of " + origin + " in the store covers seq " + seq
            + " (run 'bulwark audit verify' to see why; the writer signs one every 1000 events or 10 s)");
      }
      int size = (int) chosen.checkpoint().size();
      List<byte[]> leaves = new ArrayList<>(size);
      Bytes payload = null;
      try (Stream<StoredEvent> s = store.read(0)) {
        for (StoredEvent e : (Iterable<StoredEvent>) s::iterator) {
          if (leaves.size() == size) {
            break;
          }
          if (e.isDamaged() || e.seq() != leaves.size()) {
            throw new CliException(ExitCode.FINDINGS, "the stored log is damaged or out of order at " + e.location()
                + "; run 'bulwark audit verify'");
          }
          leaves.add(MerkleProofs.leafHash(e.payload().toByteArray()).toByteArray());
          if (e.seq() == seq) {
            payload = e.payload();
          }
        }
      }
      if (leaves.size() < size || payload == null) {
        throw new CliException(ExitCode.FINDINGS, "the store holds " + leaves.size() + " events but its checkpoint covers "
            + size + "; run 'bulwark audit verify'");
      }
      List<Bytes> path = InclusionProofs.path((int) seq, leaves);
      Bytes root = Bytes.of(InclusionProofs.root(leaves, 0, size));
      if (!MerkleProofs.verifyInclusion(seq, size, Bytes.of(leaves.get((int) seq)), path, chosen.checkpoint().root())
          || !root.equals(chosen.checkpoint().root())) {
        throw new CliException(ExitCode.FINDINGS, "the stored events do not match the signed checkpoint of size " + size
            + "; run 'bulwark audit verify'");
      }
      return new ProofBundle(seq, payload, path, chosen);
    }
  }

  /** {@code audit proof verify}. */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verify an offline proof with nothing but the log's public key: the checkpoint is signed by a "
          + "trusted key, the event is in its tree, and the event's sequence number is the proven index.",
          "Exit 0 when it verifies, 1 when it is rejected."},
      footerHeading = "%nExample:%n",
      footer = "  bulwark audit proof verify event-42.proof --public-key 'example.com/audit+1a2b3c4d+AQ...'")
  static final class ProofVerify extends Subcommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The proof file.")
    Path file;

    @Mixin
    TrustOptions trust;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--origin", paramLabel = "ORIGIN",
        description = "The log the proof must come from. Default: the name of the first public key.")
    String origin;

    @Override
    public Integer call() {
      List<CheckpointKey> keys = trust.keys();
      if (keys.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "give the log's public key: --public-key or --public-key-file");
      }
      String text = TrustOptions.Files2.readString(file, "proof file");
      PrintWriter out = out();
      Map<String, Object> result = new LinkedHashMap<>();
      LoggedEvent event;
      try {
        event = ProofBundle.parse(text).verify(origin != null ? origin : keys.get(0).name(), keys);
      } catch (AuditFormatException e) {
        if (json) {
          result.put("verified", false);
          result.put("reason", e.getMessage());
          out.println(Json.write(result));
        } else {
          out.println("REJECTED: " + e.getMessage());
        }
        out.flush();
        return ExitCode.FINDINGS;
      }
      if (json) {
        result.put("verified", true);
        result.put("seq", event.seq());
        result.put("recordedAt", event.recordedAt().toString());
        result.put("action", event.event().action().name());
        result.put("actor", event.event().actor().id());
        result.put("outcome", String.valueOf(event.event().outcome()));
        out.println(Json.write(result));
      } else {
        out.println("VERIFIED: " + Tail.line(event));
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  /** {@code audit tail}. */
  @Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Print the newest events of the log, oldest first; --follow keeps printing new ones.",
      footerHeading = "%nExample:%n",
      footer = "  bulwark audit tail /var/lib/app/audit -n 20 --follow")
  static final class Tail extends Subcommand {
    @Mixin
    AuditSource source;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
        description = "How many of the newest events to print (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "Keep polling for new events until interrupted.")
    boolean follow;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "PT1S",
        description = "How often --follow polls (ISO-8601 duration, default: ${DEFAULT-VALUE}).")
    Duration pollInterval;

    @Option(names = "--max-polls", hidden = true, defaultValue = "-1",
        description = "Stop --follow after this many polls (for tests and scripts).")
    long maxPolls;

    @Override
    public Integer call() throws InterruptedException {
      if (lines < 0) {
        throw new CliException(ExitCode.USAGE, "-n must be >= 0");
      }
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new CliException(ExitCode.USAGE, "--poll-interval must be positive");
      }
      PrintWriter out = out();
      long next;
      try (AuditStore store = source.open(env())) {
        long size = store.head().nextSeq();
        long from = Math.max(store.head().base().firstSeq(), size - lines);
        next = print(store, from, out, Optional.of(size));
      }
      for (long polls = 0; follow && (maxPolls < 0 || polls < maxPolls); polls++) {
        Thread.sleep(pollInterval.toMillis());
        try (AuditStore store = source.open(env())) {
          next = print(store, next, out, Optional.empty());
        }
      }
      return ExitCode.OK;
    }

    private static long print(AuditStore store, long from, PrintWriter out, Optional<Long> until) {
      long next = from;
      Deque<String> pending = new ArrayDeque<>();
      try (Stream<StoredEvent> s = store.read(from)) {
        for (StoredEvent e : (Iterable<StoredEvent>) s::iterator) {
          if (until.isPresent() && e.seq() >= until.get()) {
            break;
          }
          if (e.isDamaged()) {
            pending.add("!! damaged record at " + e.location() + ": " + e.damage() + " (run 'bulwark audit verify')");
            continue;
          }
          try {
            pending.add(line(CanonicalEncoding.decode(e.payload())));
          } catch (AuditFormatException ex) {
            pending.add("!! undecodable event at " + e.location() + ": " + ex.getMessage());
          }
          next = Math.max(next, e.seq() + 1);
        }
      }
      pending.forEach(out::println);
      out.flush();
      return next;
    }

    static String line(LoggedEvent e) {
      StringBuilder sb = new StringBuilder();
      sb.append(e.seq()).append(' ').append(e.recordedAt()).append(' ').append(e.event().action().name())
          .append(" actor=").append(e.event().actor().id())
          .append(" outcome=").append(e.event().outcome());
      if (e.event().target() != null) {
        sb.append(" target=").append(e.event().target().type()).append(':').append(e.event().target().id());
      }
      if (e.event().tenant() != null) {
        sb.append(" tenant=").append(e.event().tenant());
      }
      if (e.event().reason() != null) {
        sb.append(" reason=").append(e.event().reason());
      }
      return sb.toString();
    }
  }
}
