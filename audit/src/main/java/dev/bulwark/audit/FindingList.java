package dev.bulwark.audit;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/**
 * The findings of one run. Past {@link #MAX_FINDINGS} a finding is only counted: its slot holds
 * a shared placeholder (so indexes stay valid) that later updates leave alone.
 */
final class FindingList extends AbstractList<Finding> {

  /** Findings kept in full; beyond, they are counted per code (memory stays bounded on any input). */
  static final int MAX_FINDINGS = 10_000;

  private static final Finding DROPPED = new Finding(FindingCode.MALFORMED, -1, "-", "-");
  private final ArrayList<Finding> list = new ArrayList<>();
  private final EnumMap<FindingCode, Long> dropped = new EnumMap<>(FindingCode.class);
  private int kept;

  @Override
  public boolean add(Finding f) {
    if (kept >= MAX_FINDINGS) {
      dropped.merge(f.code(), 1L, Long::sum);
      return list.add(DROPPED);
    }
    kept++;
    return list.add(f);
  }

  @Override
  public Finding get(int index) {
    return list.get(index);
  }

  @Override
  public Finding set(int index, Finding f) {
    Finding old = list.get(index);
    return old == DROPPED ? old : list.set(index, f);
  }

  @Override
  public int size() {
    return list.size();
  }

  /** The kept findings, then one summary per code of what was only counted. */
  List<Finding> materialize() {
    List<Finding> out = new ArrayList<>(kept + dropped.size());
    for (Finding f : list) {
      if (f != DROPPED) {
        out.add(f);
      }
    }
    dropped.forEach((code, n) -> out.add(new Finding(code, -1, "log", n + " more " + code
        + " finding(s) not listed (more than " + MAX_FINDINGS + " findings in all)")));
    return out;
  }
}
