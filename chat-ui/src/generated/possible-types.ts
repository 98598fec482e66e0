export interface PossibleTypesResultData {
  possibleTypes: { [key: string]: string[] };
}
const result: PossibleTypesResultData = {
  "possibleTypes": {
    "AgentEvent": [
      "DraftUpdated",
      "MessageAdded",
      "ReasoningDelta",
      "RunFinished",
      "RunStarted",
      "ThinkingStep",
      "TokenDelta",
      "ToolCallFinished",
      "ToolCallStarted",
      "TransferProposed"
    ]
  }
};
export default result;
