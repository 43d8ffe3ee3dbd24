package dev.tuneloop.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar local/target/tuneloop-local.jar [demo] [--data-dir DIR] [--services a,b]
 * [-Dkey=value ...]}: starts the local platform, prints its endpoints and runs until Ctrl-C (a
 * service that dies is restarted), then stops everything. With {@code demo} it runs the main job
 * instead ({@link Demo}) and stops when that is done.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    boolean demo = args.length > 0 && args[0].equals("demo");
    if (demo) args = Arrays.copyOfRange(args, 1, args.length);
    LocalOptions options;
    try {
      options = parse(args);
      if (demo) options = options.withProperties(merged(Demo.properties(), options.properties()));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    System.out.println(
        "tuneloop: starting Kafka, S3 and "
            + String.join(", ", options.services())
            + " (data in "
            + options.dataDir().toAbsolutePath()
            + ")");
    LocalPlatform platform;
    try {
      platform = LocalPlatform.start(options, System.out);
    } catch (RuntimeException e) {
      System.err.println("tuneloop: failed to start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("tuneloop: stopping ...");
                  platform.close();
                  stopped.countDown();
                },
                "tuneloop-shutdown"));
    if (demo) {
      System.exit(runDemo(platform));
    }
    System.out.println(
        "tuneloop: up. Endpoints:\n"
            + platform.endpoints().describe()
            + "Ctrl-C stops everything.");
    stopped.await(); // the platform restarts a service that dies; Ctrl-C stops everything
  }

  /**
   * Runs the demo against the gateway; returns the process exit code (the shutdown hook stops
   * everything).
   */
  private static int runDemo(LocalPlatform platform) {
    URI gateway = URI.create(platform.endpoints().service("gateway").httpUrl());
    try {
      new Demo(gateway, System.out)
          .run(Path.of("samples", "foobear.jsonl"), Duration.ofMinutes(20));
      System.out.println(
          "tuneloop: demo finished. Run without 'demo' to keep the platform up and try it yourself.");
      return 0;
    } catch (Exception e) {
      System.err.println("tuneloop: demo failed: " + e.getMessage());
      return 1;
    }
  }

  private static Map<String, String> merged(
      Map<String, String> defaults, Map<String, String> overrides) {
    Map<String, String> all = new HashMap<>(defaults);
    all.putAll(overrides);
    return all;
  }

  static LocalOptions parse(String[] args) {
    LocalOptions options = LocalOptions.defaults();
    Map<String, String> props = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--data-dir" -> options = options.withDataDir(Path.of(value(args, ++i, arg)));
        case "--services" ->
            options = options.withServices(List.of(value(args, ++i, arg).split(",")));
        case "--free-ports" -> options = options.withFreePorts();
        case "-h", "--help" -> throw new IllegalArgumentException("tuneloop local platform");
        default -> {
          if (!arg.startsWith("-D") || !arg.contains("="))
            throw new IllegalArgumentException("Unknown option " + arg);
          props.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
      }
    }
    for (String name : options.services()) {
      if (!ServiceCatalog.ALL.contains(name)) {
        throw new IllegalArgumentException(
            "Unknown service '" + name + "'; known: " + ServiceCatalog.ALL);
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
        usage: java -jar local/target/tuneloop-local.jar [demo] [options]
          demo                run the main job (samples in, curated, trained, served, asked) and stop
          --data-dir DIR      Kafka log and S3 objects (default .tuneloop), kept between runs
          --services a,b      start only these of %s
          --free-ports        any free ports instead of 8080-8084 / 50050-50054 / 9092 / 9000
          -Dkey=value         a property for every service (e.g. -Dtuneloop.inference.base-model=stories260K)
        """
        .formatted(Arrays.toString(ServiceCatalog.ALL.toArray()));
  }
}
