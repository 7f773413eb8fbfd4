package dev.bulwark.audit.jdbc;

import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.audit.spi.CheckpointAnchor;
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

  private final DataSource dataSource;

  public JdbcCheckpointAnchor(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    try {
      Ddl.run(dataSource, "CREATE TABLE IF NOT EXISTS bulwark_audit_anchor (origin VARCHAR(256) NOT NULL,"
          + " tree_size BIGINT NOT NULL, id BIGINT GENERATED ALWAYS AS IDENTITY, note TEXT NOT NULL,"
          + " PRIMARY KEY (origin, id))");
    } catch (SQLException e) {
      throw new AuditStoreException("cannot prepare the anchor table: " + e.getMessage(), e);
    }
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
