package org.augmix4j.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;

/**
 * The exclusive writer's lock of a run directory: an OS file lock on {@code RUN/.lock}, held from
 * before the first write until the run ends (released by the OS when the process dies, so a
 * killed run never leaves a stale lock). The file names its holder (process id, host, start
 * time); a second {@code train} or {@code --resume} on the same directory is refused with that
 * name instead of interleaving checkpoints with the first.
 */
public final class RunLock implements AutoCloseable {
    static final String FILE = ".lock";
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code runDir}, or throws naming the process that holds it. */
    public static RunLock acquire(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;  // this process already writes the directory
        } catch (IOException e) {
            ch.close();
            throw new IOException(file + ": cannot lock the run directory (" + e.getMessage() + "); is the file system read-only?", e);
        }
        if (l == null) {
            String holder = holder(ch);
            ch.close();
            throw new IllegalStateException(runDir + " is in use by another training process (" + holder + "). Two writers would "
                    + "interleave their checkpoints: wait for it to finish or stop it, then resume from the directory's checkpoint.");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + host() + " since "
                + OffsetDateTime.now().withNano(0) + " (" + ManagementFactory.getRuntimeMXBean().getName() + ")\n").getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        return new RunLock(ch, l);
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

}
