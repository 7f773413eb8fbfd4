package dev.bulwark.audit.jdbc;

import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.common.jdbc.JdbcSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Anchors checkpoints in a second database (or a schema the application role cannot write
 * other than by INSERT): table {@code bulwark_audit_anchor}. Give it a DataSource with other
 * credentials than the store's, ideally on another server. Thread-safe.
 */
public final class JdbcCheckpointAnchor implements CheckpointAnchor {

  /**
   * The anchor table, in the anchor database: {@code classpath:db/migration/bulwark-auditanchor/}
   * (its own migration history, apart from the log's tables).
   */
  public static final JdbcSchema SCHEMA = JdbcSchema.builder("auditanchor", JdbcCheckpointAnchor.class)
      .migrations("V1__tables.sql")
      .table("bulwark_audit_anchor", "origin varchar", "tree_size int8", "id", "note text")
      .build();

  private final DataSource dataSource;

  public JdbcCheckpointAnchor(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    SCHEMA.apply(dataSource, true, AuditStoreException::new);
  }

  /**
   * An anchor over {@code dataSource}; with {@code createSchema} false it runs no DDL and only
   * checks that the table exists (apply {@link #SCHEMA}'s migrations to the anchor database first).
   */
  public JdbcCheckpointAnchor(DataSource dataSource, boolean createSchema) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    SCHEMA.apply(dataSource, createSchema, AuditStoreException::new);
  }

  @Override
  public void submit(SignedCheckpoint checkpoint) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_audit_anchor (origin, tree_size, note) VALUES (?, ?, ?)")) {
      p.setString(1, checkpoint.checkpoint().origin());
      p.setLong(2, checkpoint.checkpoint().size());
      p.setString(3, checkpoint.note());
      p.executeUpdate();
    } catch (SQLException e) {
      throw new AuditStoreException("cannot anchor checkpoint: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> latest(String origin) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT note FROM bulwark_audit_anchor WHERE origin = ? ORDER BY tree_size DESC, id DESC LIMIT 1")) {
      p.setString(1, origin);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read anchored checkpoints: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "JdbcCheckpointAnchor";
  }
}
