package dev.bulwark.testing.signatures;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;

/** A class whose visible members name {@code java.util.concurrent} types, and whose hidden ones do too. */
public class Leaky {

  public static final BlockingQueue<String> QUEUE = new LinkedBlockingQueue<>();

  private final ConcurrentHashMap<String, String> hidden = new ConcurrentHashMap<>();

  public Leaky(Executor executor) {
    executor.execute(hidden::clear);
  }

  public List<? extends Future<String>> futures() {
    return List.of();
  }

  public void run() throws TimeoutException {}

  ConcurrentHashMap<String, String> packagePrivate() {
    return hidden;
  }
}
