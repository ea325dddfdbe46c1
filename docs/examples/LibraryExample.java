// AugMix4J as a library: AugMix and a corruption on a BufferedImage, with only the augmix4j jar on the
// class path (no other jar, no --add-modules). docs/library.md explains it; LibraryConsumerTest compiles
// and runs this very file against the library packages alone.
//
//   javac -cp augmix4j.jar LibraryExample.java && java -cp augmix4j.jar:. LibraryExample in.png out/
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.augmix4j.augment.AugMixTransform;
import org.augmix4j.corrupt.ImageCorruptions;
import org.augmix4j.image.ImageFiles;

public class LibraryExample {
    public static void main(String[] args) {
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        BufferedImage img = ImageFiles.read(in);                  // any PNG/JPEG: RGB, grey, alpha, palette

        AugMixTransform augmix = AugMixTransform.builder()
                .severity(3).width(3).depth(-1).alpha(1.0).seed(42)  // the official defaults
                .build();
        BufferedImage augmented = augmix.apply(img, 0);            // draw index 0; same kind of image back
        float[][] jsd = augmix.jsdViews(img, 0);                   // clean, AugMix 1, AugMix 2: CHW floats, (x/255 - 0.5)/0.5

        BufferedImage foggy = ImageCorruptions.corrupt(img, "fog", 3, 42L);   // any size; CIFAR-C tables at 32x32

        ImageFiles.writePng(out.resolve("augmented.png"), augmented);
        ImageFiles.writePng(out.resolve("fog3.png"), foggy);
        System.out.println("augmented " + augmented.getWidth() + "x" + augmented.getHeight() + " type " + augmented.getType()
                + "; jsd views " + jsd.length + " x " + jsd[0].length + " floats; fog type " + foggy.getType()
                + "; vector module " + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    }
}
