package dev.bulwark.cli;

import dev.bulwark.crypto.BulkRewrap;
import dev.bulwark.crypto.CiphertextFormatException;
import dev.bulwark.crypto.CiphertextInfo;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekVersionId;
import dev.bulwark.crypto.KeyState;
import dev.bulwark.crypto.KeyVersion;
import dev.bulwark.crypto.Keyring;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.crypto.RewrapProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark keys}: key versions and their dependents, rotation, bulk rewrap. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Show key versions and what depends on them, rotate a keyring, rewrap stored ciphertexts.",
    subcommands = {KeysCommand.Status.class, KeysCommand.Rotate.class, KeysCommand.Rewrap.class})
final class KeysCommand extends CommandGroup {

  /** {@code keys status}. */
  @Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Print every keyring's versions and states and, with --scan, how many stored ciphertexts "
          + "still depend on each version (read from their headers, no key needed).",
          "A non-primary version with no dependents can be destroyed safely."},
      footerHeading = "%nExample:%n",
      footer = "  bulwark keys status --keyring-file keys.bin --master-key-file master.key --scan /var/lib/app/blobs")
  static final class Status extends Subcommand {
    @Mixin
    KeyringOptions keyrings;

    @Option(names = "--keyring", paramLabel = "ID", description = "Only this keyring (default: all).")
    String keyringId;

    @Option(names = "--scan", paramLabel = "DIR", description = "A directory of ciphertext files to count dependents in.")
    Path scan;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Override
    public Integer call() throws GeneralSecurityException, IOException {
      Keyrings k = keyrings.open(env().clock(), true);
      Map<KekVersionId, Long> deps = new TreeMap<>();
      long unreadable = 0;
      if (scan != null) {
        InputFiles.requireDirectory(scan);
        CiphertextDirectory dir = new CiphertextDirectory(scan);
        for (String name : dir.names()) {
          try {
            CiphertextInfo info = Envelope.inspect(
                InputFiles.read(scan.resolve(name), "ciphertext file", InputFiles.CIPHERTEXT_MAX_BYTES));
            deps.merge(new KekVersionId(info.keyringId(), info.kekVersion()), 1L, Long::sum);
          } catch (CiphertextFormatException e) {
            unreadable++;
          }
        }
      }
      List<String> ids = keyringId == null ? k.keyringIds() : List.of(keyringId);
      List<Map<String, Object>> rings = new ArrayList<>();
      for (String id : ids) {
        Optional<Keyring> ring = k.existing(id);
        if (ring.isEmpty()) {
          throw CliException.config("no keyring '" + id + "' in " + keyrings.keyringFile);
        }
        rings.add(describe(ring.get(), deps, scan != null));
      }
      PrintWriter out = out();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keyrings", rings);
        if (scan != null) {
          m.put("scanned", scan.toString());
          m.put("unreadable", unreadable);
        }
        out.println(Json.write(m));
      } else {
        if (rings.isEmpty()) {
          out.println("no keyrings in " + keyrings.keyringFile);
        }
        for (Map<String, Object> r : rings) {
          printRing(out, r, scan != null);
        }
        if (scan != null) {
          out.println("scanned " + scan + (unreadable > 0 ? " (" + unreadable + " file(s) are not Bulwark ciphertexts)" : ""));
        }
      }
      out.flush();
      return ExitCode.OK;
    }

    private static Map<String, Object> describe(Keyring ring, Map<KekVersionId, Long> deps, boolean scanned)
        throws GeneralSecurityException {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("keyring", ring.id());
      Optional<java.time.Instant> shredded = ring.shreddedAt();
      m.put("shreddedAt", shredded.map(Object::toString).orElse(null));
      m.put("primaryVersion", shredded.isPresent() ? null : ring.primaryVersion());
      m.put("minDecryptableVersion", shredded.isPresent() ? null : ring.minDecryptableVersion());
      List<Map<String, Object>> versions = new ArrayList<>();
      for (KeyVersion v : ring.versions()) {
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("version", v.version());
        vm.put("state", v.state().name());
        vm.put("createdAt", v.createdAt().toString());
        vm.put("encryptionsReserved", v.encryptionsReserved());
        if (scanned) {
          long n = deps.getOrDefault(new KekVersionId(ring.id(), v.version()), 0L);
          vm.put("dependents", n);
          vm.put("safeToDestroy", n == 0 && v.state() != KeyState.PRIMARY && v.state() != KeyState.DESTROYED);
        }
        versions.add(vm);
      }
      m.put("versions", versions);
      return m;
    }

    @SuppressWarnings("unchecked")
    private static void printRing(PrintWriter out, Map<String, Object> r, boolean scanned) {
      out.println("keyring " + r.get("keyring") + (r.get("shreddedAt") != null ? ": SHREDDED at " + r.get("shreddedAt")
          : ": primary v" + r.get("primaryVersion") + ", min decryptable v" + r.get("minDecryptableVersion")));
      out.println(String.format(Locale.ROOT, "  %-8s %-13s %-31s %12s%s", "VERSION", "STATE", "CREATED", "ENCRYPTIONS",
          scanned ? "  DEPENDENTS" : ""));
      for (Map<String, Object> v : (List<Map<String, Object>>) r.get("versions")) {
        String dep = "";
        if (scanned) {
          dep = String.format(Locale.ROOT, "  %10d%s", (Long) v.get("dependents"),
              Boolean.TRUE.equals(v.get("safeToDestroy")) ? "  (no dependents: safe to destroy)" : "");
        }
        out.println(String.format(Locale.ROOT, "  v%-7s %-13s %-31s %12s%s", v.get("version"), v.get("state"),
            v.get("createdAt"), "<=" + v.get("encryptionsReserved"), dep));
      }
    }
  }

  /** {@code keys rotate}. */
  @Command(name = "rotate", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Make a new primary KEK version; the old primary becomes decrypt-only. Then run 'keys rewrap'.",
      footerHeading = "%nExample:%n",
      footer = "  bulwark keys rotate --keyring-file keys.bin --master-key-file master.key --keyring default")
  static final class Rotate extends Subcommand {
    @Mixin
    KeyringOptions keyrings;

    @Option(names = "--keyring", paramLabel = "ID", defaultValue = "default",
        description = "The keyring to rotate (default: ${DEFAULT-VALUE}).")
    String keyringId;

    @Option(names = "--create", description = "Create the keyring file and keyring (version 1) if missing instead of failing.")
    boolean create;

    @Override
    public Integer call() throws GeneralSecurityException {
      Keyrings k = keyrings.open(env().clock(), !create);
      PrintWriter out = out();
      Optional<Keyring> ring = k.existing(keyringId);
      if (ring.isEmpty()) {
        if (!create) {
          throw CliException.config("no keyring '" + keyringId + "' in " + keyrings.keyringFile + " (use --create)");
        }
        Keyring created = k.keyring(keyringId);
        out.println("created keyring " + keyringId + " with primary v" + created.primaryVersion());
      } else {
        if (ring.get().shreddedAt().isPresent()) {
          throw CliException.config("keyring '" + keyringId + "' was shredded at " + ring.get().shreddedAt().get()
              + "; it is never re-created");
        }
        int before = ring.get().primaryVersion();
        KeyVersion v = ring.get().rotate();
        out.println("rotated keyring " + keyringId + ": primary v" + before + " -> v" + v.version()
            + " (v" + before + " is now decrypt-only; run 'bulwark keys rewrap' to move ciphertexts)");
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  /** {@code keys rewrap}. */
  @Command(name = "rewrap", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Move every ciphertext file in DIR to its keyring's primary KEK by rewriting only its header "
          + "(the payload is never decrypted). Files already current are skipped; each replacement is atomic "
          + "and compare-and-set.",
          "Resumable: progress is saved after every page in the state file; run the same command again after "
              + "an interruption and it continues after the last completed page."},
      footerHeading = "%nExample:%n",
      footer = "  bulwark keys rewrap /var/lib/app/blobs --keyring-file keys.bin --master-key-file master.key")
  static final class Rewrap extends Subcommand {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of ciphertext files (names starting with '.' are ignored).")
    Path dir;

    @Mixin
    KeyringOptions keyrings;

    @Option(names = "--state", paramLabel = "FILE",
        description = "Where to keep the resume checkpoint (default: DIR/.bulwark-rewrap-state).")
    Path state;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "100",
        description = "Files per page; progress is saved after each page (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--max-items", paramLabel = "N",
        description = "Stop after N files in this run (the next run resumes).")
    Long maxItems;

    @Option(names = "--restart", description = "Ignore a saved checkpoint and start a new pass.")
    boolean restart;

    @Option(names = "--no-progress", negatable = false, description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the final counts as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      InputFiles.requireDirectory(dir);
      if (pageSize < 1 || pageSize > 100_000) {
        throw new CliException(ExitCode.USAGE, "--page-size must be between 1 and 100000");
      }
      if (maxItems != null && maxItems < 1) {
        throw new CliException(ExitCode.USAGE, "--max-items must be >= 1");
      }
      Path stateFile = state != null ? state : dir.resolve(".bulwark-rewrap-state");
      Keyrings k = keyrings.open(env().clock(), true);
      Envelope envelope = Envelope.builder(k).build();
      PrintWriter err = err();
      PrintWriter out = out();
      RewrapProgress from = RewrapProgress.start();
      Optional<RewrapProgress> saved = restart ? Optional.empty() : RewrapState.read(stateFile);
      if (saved.isPresent() && !saved.get().complete()) {
        from = saved.get();
        err.println("resuming after " + from.lastId().orElse("(start)") + ": " + from.scanned() + " scanned, "
            + from.rewrapped() + " rewrapped so far");
      } else if (saved.isPresent()) {
        err.println("the previous pass was complete; starting a new pass");
      }
      CiphertextDirectory files = new CiphertextDirectory(dir);
      long total = files.names().size();
      ProgressLine bar = noProgress ? null : new ProgressLine(err, System.console() != null);
      RewrapProgress startFrom = from;
      RewrapProgress result = new BulkRewrap(envelope, pageSize).run(files, files, from,
          maxItems == null ? Long.MAX_VALUE : maxItems, p -> {
            RewrapState.write(stateFile, p);
            if (bar != null) {
              bar.update(p.scanned(), Math.max(total, p.scanned()), "rewrapped " + p.rewrapped() + ", current "
                  + p.alreadyCurrent() + ", failed " + p.failed());
            }
          });
      RewrapState.write(stateFile, result);
      if (bar != null) {
        bar.finish();
      }
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("complete", result.complete());
        m.put("scanned", result.scanned());
        m.put("rewrapped", result.rewrapped());
        m.put("alreadyCurrent", result.alreadyCurrent());
        m.put("failed", result.failed());
        m.put("thisRun", result.scanned() - startFrom.scanned());
        Map<String, Long> deps = new LinkedHashMap<>();
        result.dependents().forEach((id, n) -> deps.put(id.keyringId() + ":v" + id.version(), n));
        m.put("dependents", deps);
        out.println(Json.write(m));
      } else {
        out.println((result.complete() ? "complete" : "stopped (run again to resume)") + ": " + result.scanned()
            + " scanned, " + result.rewrapped() + " rewrapped, " + result.alreadyCurrent() + " already current, "
            + result.failed() + " failed");
        result.dependents().forEach((id, n) -> out.println("  " + id.keyringId() + " v" + id.version() + ": " + n
            + " dependent(s)"));
      }
      out.flush();
      return result.failed() > 0 ? ExitCode.FINDINGS : ExitCode.OK;
    }
  }
}
