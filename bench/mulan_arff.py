"""One MULAN ARFF file (+ its label XML) as float64 features and int64 0/1 labels, for the
bench reference scripts (Debian's python3-liac-arff; run with /usr/bin/python3)."""
import os
import xml.etree.ElementTree as ET

import arff
import numpy as np


def read(root, name, role):
    """<root>/<name>/<name>-<role>.arff with the labels named in <root>/<name>/<name>.xml."""
    tree = ET.parse(os.path.join(root, name, name + ".xml"))
    labels = [e.attrib["name"] for e in tree.getroot() if e.tag.endswith("label")]
    with open(os.path.join(root, name, f"{name}-{role}.arff")) as f:
        data = arff.load(f)
    names = [a[0] for a in data["attributes"]]
    rows = np.array(data["data"], dtype=object)
    label_cols = [names.index(l) for l in labels]
    feature_cols = [i for i in range(len(names)) if i not in label_cols]
    return (rows[:, feature_cols].astype(np.float64),
            rows[:, label_cols].astype(np.float64).astype(np.int64))
