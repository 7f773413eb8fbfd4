package dev.bulwark.cli;

import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where an audit log lives: a file-store directory (positional) or a PostgreSQL log
 * ({@code --jdbc-url} and {@code --log}), and its origin. A picocli mixin.
 */
final class AuditSource {

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The audit log's file-store directory.")
  Path directory;

  @picocli.CommandLine.Mixin
  Database.Options db = new Database.Options();

  @Option(names = "--log", paramLabel = "NAME", defaultValue = "default",
      description = "With --jdbc-url: the log id in the bulwark_audit_* tables (default: ${DEFAULT-VALUE}).")
  String log;

  @Option(names = "--origin", paramLabel = "ORIGIN",
      description = "The log's origin (checkpoint name). Default: the name of the first public key, "
          + "else the origin of the newest readable stored checkpoint.")
  String origin;

  /** Opens the store read-only (the file store never changes anything on disk). */
  AuditStore open(Environment env) {
    if (database()) {
      return new JdbcAuditStore(env.dataSources().open(db), log, false);
    }
    InputFiles.requireDirectory(directory);
    if (!Files.isReadable(directory)) {
      throw CliException.config("cannot read directory: " + directory);
    }
    return FileAuditStore.openReadOnly(directory);
  }

  /**
   * Opens the store for writing ({@code audit recover} only): the file store takes its lock and,
   * like every writer, keeps any torn tail in a quarantine file.
   */
  AuditStore openForWriting(Environment env) {
    if (database()) {
      return new JdbcAuditStore(env.dataSources().open(db), log, false);
    }
    InputFiles.requireDirectory(directory);
    return FileAuditStore.open(directory);
  }

  /** Whether the log is the database's ({@code --jdbc-url}) rather than a directory's; exactly one is given. */
  private boolean database() {
    boolean useDb = db.present();
    if (directory != null && useDb) {
      throw new CliException(ExitCode.USAGE, "give either a directory or --jdbc-url, not both");
    }
    if (directory == null && !useDb) {
      throw new CliException(ExitCode.USAGE, "missing log: give a file-store DIR or --jdbc-url (see --help)");
    }
    return useDb;
  }

  String describe() {
    return directory != null ? directory.toString() : db + " log " + log;
  }

  /** The origin: --origin, the first trusted key's name, or the newest readable stored checkpoint. */
  String origin(AuditStore store, List<CheckpointKey> keys) {
    if (origin != null) {
      return origin;
    }
    if (!keys.isEmpty()) {
      return keys.get(0).name();
    }
    List<String> notes = store.checkpoints();
    for (int i = notes.size() - 1; i >= 0; i--) {
      try {
        return SignedCheckpoint.parse(notes.get(i)).checkpoint().origin();
      } catch (AuditFormatException e) {
        // A damaged note: the verifier reports it; look at an older one for the name.
      }
    }
    throw CliException.config("cannot tell the log's origin (no readable checkpoint in " + describe()
        + "); pass --origin");
  }
}
