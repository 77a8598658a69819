/** The part of ml-cart (mljs CART trees, untyped CommonJS) the regime forest uses. */
declare module "ml-cart" {
  export interface DecisionTreeOptions {
    gainFunction?: "gini";
    splitFunction?: "mean";
    /** A node with this many samples or fewer becomes a leaf. */
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  export interface DecisionTreeJson {
    name: "DTClassifier";
    options: DecisionTreeOptions & { kind: "classifier" };
    root: unknown;
  }
  export class DecisionTreeClassifier {
    constructor(options?: DecisionTreeOptions);
    /** Labels are class indexes 0..k-1. */
    train(trainingSet: number[][], trainingLabels: number[]): void;
    predict(toPredict: number[][]): number[];
    toJSON(): DecisionTreeJson;
    static load(model: DecisionTreeJson): DecisionTreeClassifier;
  }
}
