#include "ladder_export.hpp"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <cmath>

#include "ladder_painter.hpp"

namespace sipscope::gui {

namespace {

bool fail(QString* error, const QString& text) {
    if (error) *error = text;
    return false;
}

}  // namespace

bool exportLadder(const QString& path, const analyzer::LadderLayout& layout, bool proportional,
                  QString* error, const std::vector<analyzer::LadderStream>* streams) {
    const LadderStyle style = LadderStyle::light();
    const LadderGeometry g = LadderGeometry::compute(layout, style, proportional, streams);
    const QRectF all(0, 0, g.width, g.height);
    const QSize size(static_cast<int>(std::ceil(g.width)), static_cast<int>(std::ceil(g.height)));
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) {
        QImage image(QSize(static_cast<int>(std::ceil(g.width * kPngScale)),
                           static_cast<int>(std::ceil(g.height * kPngScale))),
                     QImage::Format_ARGB32_Premultiplied);
        image.fill(style.background);
        QPainter p(&image);
        p.scale(kPngScale, kPngScale);
        paintLadder(p, layout, g, style, -1, all);
        p.end();
        if (!image.save(path, "PNG")) return fail(error, QObject::tr("cannot write %1").arg(path));
        return true;
    }
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(all);
        svg.setTitle(QString::fromStdString(layout.title));
        svg.setDescription(QObject::tr("Ladder diagram drawn by SipScope"));
        QPainter p;
        if (!p.begin(&svg)) return fail(error, QObject::tr("cannot write %1").arg(path));
        paintLadder(p, layout, g, style, -1, all);
        p.end();
        return QFileInfo(path).size() > 0 || fail(error, QObject::tr("cannot write %1").arg(path));
    }
    if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(g.width * 72 / 96, g.height * 72 / 96), QPageSize::Point,
                                  QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(QString::fromStdString(layout.title));
        pdf.setCreator(QStringLiteral("SipScope"));
        QPainter p;
        if (!p.begin(&pdf)) return fail(error, QObject::tr("cannot write %1").arg(path));
        paintLadder(p, layout, g, style, -1, all);
        p.end();
        return true;
    }
    return fail(error, QObject::tr("unknown format '%1': use .png, .svg or .pdf").arg(suffix));
}

}  // namespace sipscope::gui
