package dev.bulwark.lifecycle;

import java.util.Objects;

/** One record of a data class, named by the host's own identifier (its primary key as text). */
public record RecordRef(DataClass dataClass, String id) {

  public RecordRef {
    Objects.requireNonNull(dataClass, "dataClass");
    Text.require(id, "record id", 256);
  }

  public static RecordRef of(DataClass dataClass, String id) {
    return new RecordRef(dataClass, id);
  }

  @Override
  public String toString() {
    return dataClass.name() + "/" + id;
  }
}
