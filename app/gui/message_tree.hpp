#pragma once
// The decoded structure of one SIP message as a Field/Value tree (MessageView's lower pane):
// the start line, each header with its typed parts (URIs, parameters, Via, name-addr), the
// body (SDP sessions and media), and the parser's errors and issues. Field items carry the
// byte range they came from (MessageView::kByteStartRole / kByteEndRole); error and issue cells
// carry their severity, painted by recolorTree().

#include "sip_highlighter.hpp"

class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace sipscope::gui {

// Appends the rows of a parsed message to `model` (two columns: Field, Value).
void fillMessageTree(QStandardItemModel& model, const stack::SipMessage& m,
                     const MessageFindings& findings);
// Appends an "Errors" row with the error that kept the bytes from parsing as SIP.
void fillParseErrorTree(QStandardItemModel& model, const stack::Error& error);
// Paints the error and issue cells under `parent` with the palette's colours (again after a
// palette change).
void recolorTree(QStandardItem* parent, const SipColors& colors);
// Expands the rows the fill functions marked to be shown expanded (start line, headers,
// anything with an error).
void expandMarked(QTreeView* view, QStandardItem* parent);

}  // namespace sipscope::gui
