window.dubarePairs = [
["corpus/press/001_69530e917d6fc09d.txt","",3,187,0.9383]
];
