#pragma once
// Readers that build an ImageDataset (io/image_dataset.hpp) from files on disk. None of them
// decodes pixels: they list the image files (checking that each exists) and read the labels.
// Every problem in the label files is an lg::Error naming the file and line.
#include <filesystem>
#include <string>
#include <vector>

#include "io/image_dataset.hpp"

namespace lg {

/// A folder of images and a CSV `file,label_a,label_b,...`: the header row names the labels
/// (its first field, e.g. "file", is ignored), each following row is a file name relative to
/// `images_dir` and one 0 / 1 per label. Blank lines are skipped; fields may be quoted
/// ("a,b.png"); CRLF and a UTF-8 byte-order mark are accepted. Errors (CSV file and line):
/// wrong field count, a value other than 0 / 1, a duplicate file name or label name, an image
/// file that does not exist. Image files in the folder that the CSV does not list are ignored
/// and counted in a note. Rows keep the CSV's order; the name is the CSV's stem.
ImageDataset read_image_folder(const std::filesystem::path& images_dir,
                               const std::filesystem::path& labels_csv);

/// The 20 PASCAL VOC classes in the standard order (the devkit's and the ML-GCN reference's).
const std::vector<std::string>& voc_classes();

/// PASCAL VOC 2007 classification labels, read as the ML-GCN reference (voc.py,
/// read_object_labels) reads them: ImageSets/Main/<class>_<split>.txt for the 20 classes, lines
/// `<image id> <1|-1|0>`. labels = (value != -1): the reference trains with "difficult only"
/// (0) as positive; difficult = (value == 0), which evaluation leaves out. `root` is either the
/// VOC2007 folder or a devkit root holding VOC2007/ (or VOCdevkit/VOC2007/). `split` is
/// trainval, train, val or test. Rows follow the order of the first class file (aeroplane), as
/// in the reference; images are JPEGImages/<id>.jpg and must exist. Errors: a missing class
/// file, a malformed line, a value other than 1 / -1 / 0, an id listed twice, or a class file
/// whose ids differ from aeroplane's. Annotations/*.xml are not read.
ImageDataset read_voc2007(const std::filesystem::path& root, const std::string& split);

/// Options of read_coco.
struct CocoOptions {
  /// Keep images that have no annotation, with all-zero labels (true), or drop them as the
  /// ML-GCN reference's coco.py does (false). Either way the count goes into a note.
  bool keep_unannotated = true;
};

/// MS-COCO instances JSON (instances_train2014.json, ...) and the folder holding its images.
/// Labels are the categories ordered as the ML-GCN reference orders them (coco.py sorts the
/// category *names* alphabetically: "airplane", "apple", ..., the order of
/// mlgcn-adj/coco_labels.txt and of coco_adj.pkl); label j of image i is 1 when any
/// annotation of image i has category j. Rows follow the JSON's "images" array; files are
/// images_dir / file_name and must exist. Errors: malformed JSON (with the byte position),
/// missing or mistyped fields (with the array index), duplicate image or category ids,
/// annotations naming an unknown image or category id.
ImageDataset read_coco(const std::filesystem::path& instances_json,
                       const std::filesystem::path& images_dir, const CocoOptions& options = {});

}  // namespace lg
