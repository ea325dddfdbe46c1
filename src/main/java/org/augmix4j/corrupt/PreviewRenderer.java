package org.augmix4j.corrupt;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import javax.imageio.ImageIO;
import org.augmix4j.tensor.ImageBatch;

/**
 * A PNG grid of one image under every corruption (rows) at severities 1-5 (columns), with the
 * clean image in the first column; nearest-neighbour upscaled, labelled with a built-in 5x7
 * bitmap font (no system fonts needed, so it works on a headless JDK).
 *
 * <p>{@code main} regenerates docs/corruptions-preview.png from {@link TestImages#preview()}.
 */
public final class PreviewRenderer {
    private PreviewRenderer() {}

    private static final int BG = 0xFFFFFF, FG = 0x202020, GAP = 4;

    /** Renders image {@code index} of {@code batch}. {@code frost} null means procedural. */
    public static BufferedImage render(ImageBatch batch, int index, List<Corruption> rows, long seed,
                                       FrostTiles frost, int scale) {
        if (scale < 1 || scale > 16) throw new IllegalArgumentException("scale must be 1..16, got " + scale);
        ImageBatch one = batch.image(index);
        int cell = 32 * scale, text = 2; // label pixel size
        int labelW = 2 * GAP + 18 * 6 * text, headH = 2 * GAP + 9 * text;
        int w = labelW + 6 * (cell + GAP) + GAP, h = headH + rows.size() * (cell + GAP) + GAP;
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.setRGB(x, y, BG);
        String[] heads = {"clean", "1", "2", "3", "4", "5"};
        for (int c = 0; c < 6; c++) {
            int tx = labelW + c * (cell + GAP) + (cell - heads[c].length() * 6 * text) / 2;
            drawText(im, heads[c], tx, GAP, text);
        }
        byte[] out = new byte[3072];
        for (int r = 0; r < rows.size(); r++) {
            Corruption c = rows.get(r);
            int y0 = headH + r * (cell + GAP);
            drawText(im, c.stem(), GAP, y0 + (cell - 7 * text) / 2, text);
            blit(im, one.pixels(), labelW, y0, scale);
            for (int s = 1; s <= 5; s++) {
                Corruptions.corruptImage(c, s, one.pixels(), 0, out, 0, seed, index, frost);
                blit(im, out, labelW + s * (cell + GAP), y0, scale);
            }
        }
        return im;
    }

    /** Renders and writes a PNG (parent folders are created). */
    public static void writePng(Path file, ImageBatch batch, int index, List<Corruption> rows, long seed,
                                FrostTiles frost, int scale) throws IOException {
        BufferedImage im = render(batch, index, rows, seed, frost, scale);
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(im, "png", file.toFile())) throw new IOException("no PNG writer");
    }

    private static void blit(BufferedImage im, byte[] px, int x0, int y0, int scale) {
        for (int y = 0; y < 32 * scale; y++) {
            for (int x = 0; x < 32 * scale; x++) {
                int p = ((y / scale) * 32 + x / scale) * 3;
                im.setRGB(x0 + x, y0 + y, ((px[p] & 255) << 16) | ((px[p + 1] & 255) << 8) | (px[p + 2] & 255));
            }
        }
    }

    /** 5x7 glyphs (5x9 with descenders: g j p q y), rows of 5 '#'/'.' per character. */
    private static final Map<Character, String> FONT = new HashMap<>();

    static {
        String[] g = {
            "a", ".....|.....|.###.|....#|.####|#...#|.####",
            "b", "#....|#....|####.|#...#|#...#|#...#|####.",
            "c", ".....|.....|.####|#....|#....|#....|.####",
            "d", "....#|....#|.####|#...#|#...#|#...#|.####",
            "e", ".....|.....|.###.|#...#|#####|#....|.###.",
            "f", "..##.|.#...|####.|.#...|.#...|.#...|.#...",
            "g", ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###.",
            "h", "#....|#....|####.|#...#|#...#|#...#|#...#",
            "i", "..#..|.....|.##..|..#..|..#..|..#..|.###.",
            "j", "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##..",
            "k", "#....|#....|#..#.|#.#..|##...|#.#..|#..#.",
            "l", ".##..|..#..|..#..|..#..|..#..|..#..|.###.",
            "m", ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#",
            "n", ".....|.....|####.|#...#|#...#|#...#|#...#",
            "o", ".....|.....|.###.|#...#|#...#|#...#|.###.",
            "p", ".....|.....|####.|#...#|#...#|#...#|####.|#....|#....",
            "q", ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#",
            "r", ".....|.....|#.##.|##..#|#....|#....|#....",
            "s", ".....|.....|.####|#....|.###.|....#|####.",
            "t", ".#...|.#...|####.|.#...|.#...|.#..#|..##.",
            "u", ".....|.....|#...#|#...#|#...#|#..##|.##.#",
            "v", ".....|.....|#...#|#...#|#...#|.#.#.|..#..",
            "w", ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#.",
            "x", ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#",
            "y", ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###.",
            "z", ".....|.....|#####|...#.|..#..|.#...|#####",
            "0", ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
            "1", "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
            "2", ".###.|#...#|....#|...#.|..#..|.#...|#####",
            "3", "####.|....#|....#|.###.|....#|....#|####.",
            "4", "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
            "5", "#####|#....|####.|....#|....#|#...#|.###.",
            "6", "..##.|.#...|#....|####.|#...#|#...#|.###.",
            "7", "#####|....#|...#.|..#..|.#...|.#...|.#...",
            "8", ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
            "9", ".###.|#...#|#...#|.####|....#|...#.|.##..",
            "_", ".....|.....|.....|.....|.....|.....|#####",
            " ", ".....|.....|.....|.....|.....|.....|.....",
        };
        for (int i = 0; i < g.length; i += 2) FONT.put(g[i].charAt(0), g[i + 1].replace("|", ""));
    }

    private static void drawText(BufferedImage im, String s, int x0, int y0, int px) {
        for (int i = 0; i < s.length(); i++) {
            String glyph = FONT.getOrDefault(Character.toLowerCase(s.charAt(i)), FONT.get(' '));
            for (int r = 0; r < glyph.length() / 5; r++) {
                for (int c = 0; c < 5; c++) {
                    if (glyph.charAt(r * 5 + c) != '#') continue;
                    for (int dy = 0; dy < px; dy++)
                        for (int dx = 0; dx < px; dx++) {
                            int x = x0 + (i * 6 + c) * px + dx, y = y0 + r * px + dy;
                            if (x < im.getWidth() && y < im.getHeight()) im.setRGB(x, y, FG);
                        }
                }
            }
        }
    }

    /** Writes the preview of the built-in test picture: {@code [out.png] [scale] [seed]}. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/corruptions-preview.png");
        int scale = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 0L;
        writePng(out, TestImages.preview(), 0, List.of(Corruption.values()), seed, FrostTiles.procedural(), scale);
        System.out.println("wrote " + out);
    }
}
