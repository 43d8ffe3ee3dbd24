package dev.tuneloop.local;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar local/target/tuneloop-local.jar [--data-dir DIR] [--services a,b] [-Dkey=value ...]}: starts the
 * local platform, prints its endpoints and runs until Ctrl-C (or until a service dies), then stops everything.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    LocalOptions options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    System.out.println("tuneloop: starting Kafka, S3 and " + String.join(", ", options.services())
        + " (data in " + options.dataDir().toAbsolutePath() + ")");
    LocalPlatform platform;
    try {
      platform = LocalPlatform.start(options, System.out);
    } catch (RuntimeException e) {
      System.err.println("tuneloop: failed to start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("tuneloop: stopping ...");
      platform.close();
      stopped.countDown();
    }, "tuneloop-shutdown"));
    System.out.println("tuneloop: up. Endpoints:\n" + platform.endpoints().describe() + "Ctrl-C stops everything.");
    watch(platform);
    stopped.await();
  }

  /** Returns (and exits the JVM, which runs the shutdown hook) when any service process dies on its own. */
  private static void watch(LocalPlatform platform) throws InterruptedException {
    while (true) {
      for (ServiceProcess process : platform.processes()) {
        if (!process.isAlive()) {
          System.err.println("tuneloop: " + process.spec().name() + " exited unexpectedly; stopping everything.");
          System.exit(1);
        }
      }
      Thread.sleep(1000);
    }
  }

  static LocalOptions parse(String[] args) {
    LocalOptions options = LocalOptions.defaults();
    Map<String, String> props = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--data-dir" -> options = options.withDataDir(Path.of(value(args, ++i, arg)));
        case "--services" -> options = options.withServices(List.of(value(args, ++i, arg).split(",")));
        case "--free-ports" -> options = options.withFreePorts();
        case "-h", "--help" -> throw new IllegalArgumentException("tuneloop local platform");
        default -> {
          if (!arg.startsWith("-D") || !arg.contains("=")) throw new IllegalArgumentException("Unknown option " + arg);
          props.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
      }
    }
    for (String name : options.services()) {
      if (!ServiceCatalog.ALL.contains(name)) {
        throw new IllegalArgumentException("Unknown service '" + name + "'; known: " + ServiceCatalog.ALL);
      }
    }
    return options.withProperties(props);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
    return args[i];
  }

  private static String usage() {
    return """
        usage: java -jar local/target/tuneloop-local.jar [options]
          --data-dir DIR      Kafka log and S3 objects (default .tuneloop), kept between runs
          --services a,b      start only these of %s
          --free-ports        any free ports instead of 8080-8084 / 50050-50054 / 9092 / 9000
          -Dkey=value         a property for every service (e.g. -Dtuneloop.inference.base-model=stories260K)
        """.formatted(Arrays.toString(ServiceCatalog.ALL.toArray()));
  }
}
