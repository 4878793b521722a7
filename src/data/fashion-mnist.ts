/**
 * What identifies the Fashion-MNIST files (Xiao, Rasul & Vollgraf 2017, MIT, github.com/zalandoresearch/fashion-mnist):
 * their names, where upstream publishes them, and two checksums per file.
 *
 * - `md5Gz`: the MD5 of the gzip archive exactly as upstream's README lists it ("Get the Data").
 * - `sha256`: the SHA-256 of what the archive unpacks to (the IDX bytes). This is the identity that
 *   is checked, because the same images come in more than one gzip wrapping: Debian's
 *   `dataset-fashion-mnist` package (the copy in ../shared/data/fashion-mnist) re-compressed them, so
 *   its .gz bytes (and MD5s) differ from upstream's while every unpacked byte is the same. These
 *   SHA-256 values were computed from that copy (test/cli/data-fashion-mnist.test.ts recomputes them) and
 *   agree with the ones other projects derived from archives matching upstream's MD5s.
 *
 * Browser-safe: constants only.
 */

export interface FashionMnistFile {
  /** The archive's name, as upstream and Debian name it (the vision loader reads it as is). */
  name: string;
  /** MD5 (hex) of upstream's archive, from upstream's README. */
  md5Gz: string;
  /** SHA-256 (hex) of the unpacked IDX file. */
  sha256: string;
  /** Bytes of the unpacked IDX file. */
  bytes: number;
}

/** Upstream's copy: the data/fashion folder of the zalandoresearch/fashion-mnist repository. */
export const FASHION_MNIST_URL = 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/';

/** Where Debian's `apt-get install dataset-fashion-mnist` puts the same four files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_FILES: readonly FashionMnistFile[] = [
  { name: 'train-images-idx3-ubyte.gz', md5Gz: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888', bytes: 47_040_016 },
  { name: 'train-labels-idx1-ubyte.gz', md5Gz: '25c81989df183df01b3e8a0aad5dffbe', sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9', bytes: 60_008 },
  { name: 't10k-images-idx3-ubyte.gz', md5Gz: 'bef4ecab320f06d8554ea6380940ec79', sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b', bytes: 7_840_016 },
  { name: 't10k-labels-idx1-ubyte.gz', md5Gz: 'bb300cfdad3c16e7a12a480ee83cd310', sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34', bytes: 10_008 },
];
